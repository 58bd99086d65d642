// Creates the Redis client (standalone or Cluster) with the configured ACL user and TLS, registers
// FlowGuard's Lua scripts on it, and waits for it to be usable, failing fast on refused credentials.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { Cluster, Redis, type ChainableCommander, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config/index.js';
import { FlowGuardError } from '../errors.js';

export type RedisClient = Redis | Cluster;

/** What connecting needs from the Redis configuration (the key prefix and the rest are not its business). */
export type RedisConnectionSettings = Pick<RedisConfig, 'url' | 'clusterNodes'> &
  Partial<Pick<RedisConfig, 'username' | 'password' | 'tls'>>;

const SCRIPTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'scripts');

/**
 * Script files are `<name>-<numberOfKeys>.lua`, or `<name>-n.lua` for a script given any number of
 * keys. They are registered under a versioned command name so two releases running side by side never
 * call each other's script body.
 */
const SCRIPT_VERSION = 'V1';
const SCRIPTS = {
  writeWalletStates: 'write-wallet-states-n.lua',
  recordGifts: 'record-gifts-n.lua',
} as const;

type ScriptArg = string | number | Buffer;
export type ScriptName = keyof typeof SCRIPTS;

export function scriptCommand(name: ScriptName): string {
  return `fg${name[0]!.toUpperCase()}${name.slice(1)}${SCRIPT_VERSION}`;
}

function registerScripts(client: RedisClient): void {
  for (const [name, file] of Object.entries(SCRIPTS)) {
    const keys = /-(\d+|n)\.lua$/.exec(file)![1]!;
    // ioredis runs these by EVALSHA and falls back to EVAL when the server's script cache was flushed.
    // Without numberOfKeys, the caller passes the key count first (callScript does).
    client.defineCommand(scriptCommand(name as ScriptName), {
      ...(keys === 'n' ? {} : { numberOfKeys: Number(keys) }),
      lua: readFileSync(join(SCRIPTS_DIR, file), 'utf8'),
    });
  }
}

/** TLS options from the configured files; none given means the system's CAs and no client certificate. */
export function redisTlsOptions(tls: NonNullable<RedisConfig['tls']>): ConnectionOptions {
  const options: ConnectionOptions = {};
  if (tls.ca) options.ca = readFileSync(tls.ca, 'utf8');
  if (tls.cert) options.cert = readFileSync(tls.cert, 'utf8');
  if (tls.key) options.key = readFileSync(tls.key, 'utf8');
  return options;
}

/**
 * The options of every connection, standalone or to each cluster node: the ACL user, TLS, and how
 * commands behave while a connection is away. Credentials written into REDIS_URL take precedence.
 */
export function redisConnectionOptions(
  settings: RedisConnectionSettings,
  options: { lazyConnect?: boolean } = {},
): RedisOptions {
  const connection: RedisOptions = {
    lazyConnect: options.lazyConnect ?? false,
    // Commands wait (bounded) for a reconnect rather than failing at the first blip.
    maxRetriesPerRequest: 3,
    enableAutoPipelining: false,
  };
  if (settings.username) connection.username = settings.username;
  if (settings.password) connection.password = settings.password;
  if (settings.tls) connection.tls = redisTlsOptions(settings.tls);
  return connection;
}

const seedsOf = new WeakMap<RedisClient, string>();

export function createRedisClient(
  settings: RedisConnectionSettings,
  options: { lazyConnect?: boolean } = {},
): RedisClient {
  const connection = redisConnectionOptions(settings, options);
  const client: RedisClient = settings.clusterNodes?.length
    ? new Cluster(
        settings.clusterNodes.map((node) => {
          const [host, port] = node.split(':');
          return { host: host!, port: Number(port) };
        }),
        {
          redisOptions: connection,
          lazyConnect: connection.lazyConnect,
          scaleReads: 'master',
          slotsRefreshTimeout: 2000,
        },
      )
    : new Redis(settings.url!, connection);
  if (settings.clusterNodes?.length) seedsOf.set(client, `cluster ${settings.clusterNodes.join(',')}`);
  registerScripts(client);
  return client;
}

/** Where a client connects, for messages: host and port, or the cluster's seed nodes. */
export function describeRedis(client: RedisClient): string {
  if (client instanceof Cluster) return seedsOf.get(client) ?? 'cluster';
  return `${client.options.host}:${client.options.port}`;
}

/** The user a client authenticates as ('default' when it sends no username). */
export function redisUserOf(client: RedisClient): string {
  const options = client instanceof Cluster ? client.options.redisOptions : client.options;
  return options?.username ?? 'default';
}

const SLOTS_REFRESH_PREFIX = /^Failed to refresh slots cache\.\s*/;
const AUTH_REFUSED = /^(WRONGPASS|NOAUTH|NOPERM)\b/;

/** The reply behind an ioredis error (a cluster wraps the node's reply in its slots-refresh error). */
function replyOf(error: Error): string {
  const inner = (error as { lastNodeError?: Error }).lastNodeError?.message ?? error.message;
  return inner.replace(SLOTS_REFRESH_PREFIX, '');
}

function authFailed(client: RedisClient, reply: string, cause: unknown): FlowGuardError {
  return new FlowGuardError(
    'FG_REDIS_AUTH_FAILED',
    `Redis at ${describeRedis(client)} refused user '${redisUserOf(client)}': ${reply} — check REDIS_USERNAME, REDIS_PASSWORD (or REDIS_PASSWORD_FILE) and the user's ACL`,
    { cause },
  );
}

/**
 * Resolves once the client answers PING. Refused credentials reject at the first reply
 * (FG_REDIS_AUTH_FAILED) instead of reconnecting for ever; no answer within `timeoutMs` rejects with
 * FG_REDIS_UNAVAILABLE. On failure the client is disconnected, so it does not retry in the background.
 */
export async function connectRedis(client: RedisClient, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return;
  let onError: (error: Error) => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  // A cluster whose nodes refuse the user retries its slot refresh for ever and never fails the
  // queued PING, so the refusal is taken from the error events.
  const refused = new Promise<never>((_, reject) => {
    onError = (error) => {
      if (AUTH_REFUSED.test(replyOf(error))) reject(authFailed(client, replyOf(error), error));
    };
    timer = setTimeout(() => {
      const status = client.status;
      reject(
        new FlowGuardError(
          'FG_REDIS_UNAVAILABLE',
          `Redis at ${describeRedis(client)} did not answer within ${timeoutMs} ms (connection ${status})`,
          { retryable: true },
        ),
      );
    }, timeoutMs);
  });
  client.on('error', onError);
  client.on('node error', onError);
  try {
    await Promise.race([client.ping(), refused]);
  } catch (error) {
    client.disconnect();
    if (error instanceof FlowGuardError) throw error;
    const reply = replyOf(error as Error);
    if (AUTH_REFUSED.test(reply)) throw authFailed(client, reply, error);
    throw new FlowGuardError(
      'FG_REDIS_UNAVAILABLE',
      `Redis at ${describeRedis(client)} is not usable: ${reply}`,
      {
        cause: error,
        retryable: true,
      },
    );
  } finally {
    clearTimeout(timer);
    client.off('error', onError);
    client.off('node error', onError);
  }
}

/** Calls a registered script on a pipeline (ioredis adds defined commands dynamically). */
export function callScript(
  pipeline: ChainableCommander,
  name: ScriptName,
  keys: string[],
  args: ScriptArg[],
): void {
  const call = (pipeline as unknown as Record<string, (...a: ScriptArg[]) => void>)[scriptCommand(name)]!;
  if (SCRIPTS[name].endsWith('-n.lua')) call.call(pipeline, keys.length, ...keys, ...args);
  else call.call(pipeline, ...keys, ...args);
}
