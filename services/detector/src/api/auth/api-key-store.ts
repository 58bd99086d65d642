// The API keys in force: read from API_KEYS_FILE at start (a bad file stops start-up), re-read when the
// file changes (polled), and the one place a presented key is checked — in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Logger } from 'pino';
import { FlowGuardError } from '../../errors.js';
import { apiKeyId, readApiKeyFile, type ApiKeyRecord } from './api-keys.js';
import type { AuthenticatedPrincipal } from './scopes.js';

export type KeyCheck = { ok: true; principal: AuthenticatedPrincipal } | { ok: false; detail: string };

interface LoadedKey {
  record: ApiKeyRecord;
  digest: Buffer;
  expiresAtMs: number | null;
}

/** Compared against when the key names no known id, so a miss costs what a hit costs. */
const DUMMY_DIGEST = Buffer.alloc(32);

export class ApiKeyStore {
  private keys = new Map<string, LoadedKey>();
  private signature = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly reloadIntervalMs: number,
    private readonly logger: Logger,
    private readonly onReload: (outcome: 'loaded' | 'failed') => void = () => undefined,
  ) {}

  /** Loads the file; a file that cannot be read or parsed stops start-up with the variable named. */
  start(): void {
    try {
      this.load();
    } catch (error) {
      throw new FlowGuardError(
        'FG_CONFIG_INVALID',
        `Invalid configuration — API_KEYS_FILE: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.timer = setInterval(() => this.reloadIfChanged(), this.reloadIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  get size(): number {
    return this.keys.size;
  }

  check(presented: string, nowMs: number): KeyCheck {
    const id = apiKeyId(presented);
    const loaded = id === null ? undefined : this.keys.get(id);
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    const matches = timingSafeEqual(digest, loaded?.digest ?? DUMMY_DIGEST) && loaded !== undefined;
    if (!matches) return { ok: false, detail: id === null ? 'not a FlowGuard API key' : 'unknown API key' };
    const { record, expiresAtMs } = loaded;
    if (record.revoked) return { ok: false, detail: `API key ${record.id} is revoked` };
    if (expiresAtMs !== null && expiresAtMs <= nowMs)
      return { ok: false, detail: `API key ${record.id} expired at ${record.expiresAt}` };
    return {
      ok: true,
      principal: {
        id: `key:${record.id}`,
        kind: 'api-key',
        name: record.name,
        scopes: new Set(record.scopes),
      },
    };
  }

  private load(): void {
    const signature = this.fileSignature();
    const file = readApiKeyFile(this.file);
    const keys = new Map<string, LoadedKey>();
    for (const record of file.keys) {
      keys.set(record.id, {
        record,
        digest: Buffer.from(record.hash.slice('sha256:'.length), 'base64url'),
        expiresAtMs: record.expiresAt ? Date.parse(record.expiresAt) : null,
      });
    }
    this.keys = keys;
    this.signature = signature;
  }

  private reloadIfChanged(): void {
    let signature: string;
    try {
      signature = this.fileSignature();
    } catch (error) {
      this.logger.error(
        { err: error, file: this.file },
        'API key file cannot be read; keeping the keys loaded',
      );
      return;
    }
    if (signature === this.signature) return;
    try {
      this.load();
      this.logger.info({ file: this.file, keys: this.keys.size }, 'API key file reloaded');
      this.onReload('loaded');
    } catch (error) {
      // Keep serving with the keys we had: a half-written or broken file must not lock everyone out.
      this.signature = signature;
      this.logger.error(
        { file: this.file, reason: (error as Error).message },
        'API key file is invalid; keeping the keys loaded before',
      );
      this.onReload('failed');
    }
  }

  /** Changes with every rewrite, also a Secret's symlink swap (new inode) within the same second. */
  private fileSignature(): string {
    const stat = statSync(this.file);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
  }
}
