// A throw-away redis-server for one test file, on a spare port in a temporary directory: for the
// settings the shared stack must not be switched to (no AOF, TLS). Stopped by the test that started it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';

export interface TestRedisServer {
  port: number;
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/** A TCP port nothing listens on right now (and, for cluster nodes, whose bus port +10000 is free too). */
export async function sparePort(withBusPort = false): Promise<number> {
  for (;;) {
    const port = await listenOnce(0);
    if (!withBusPort || port + 10_000 > 65_535) return port;
    if (
      await listenOnce(port + 10_000).then(
        () => true,
        () => false,
      )
    )
      return port;
  }
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : port));
    });
  });
}

/**
 * Starts redis-server in the foreground with `args` (a port is chosen unless args give --port or
 * --tls-port) and resolves once it answers PING over `probe` options (TLS, for a TLS-only server).
 */
export async function startRedisServer(
  args: string[],
  options: { port?: number; probe?: RedisOptions } = {},
): Promise<TestRedisServer> {
  const port = options.port ?? (await sparePort());
  const dir = mkdtempSync(join(tmpdir(), 'fg-redis-'));
  const portArgs = args.includes('--tls-port') ? [] : ['--port', String(port)];
  const child: ChildProcess = spawn(
    'redis-server',
    [...portArgs, '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...args],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const probe = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      ...options.probe,
    });
    probe.on('error', () => undefined);
    const pong = await probe
      .connect()
      .then(() => probe.ping())
      .catch(() => '');
    probe.disconnect();
    if (pong === 'PONG') break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server ${args.join(' ')} did not start: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
