// API keys: made once, stored as hashes, checked in constant time, re-read when the file changes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../../../services/detector/src/api/auth/api-key-store.js';
import {
  addApiKeyToFile,
  apiKeyId,
  createApiKey,
  hashApiKey,
  readApiKeyFile,
  writeApiKeyFile,
} from '../../../services/detector/src/api/auth/api-keys.js';
import { isFlowGuardError } from '../../../services/detector/src/errors.js';

let dir: string;
let file: string;
const silent = pino({ level: 'silent' });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fg-keys-'));
  file = join(dir, 'keys.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('createApiKey', () => {
  it('makes a 32-byte key shown once and a record holding only its hash', () => {
    const { key, record } = createApiKey({
      name: 'console',
      scopes: ['risk:read', 'risk:read', 'alerts:read'],
      id: 'console',
    });
    expect(key).toMatch(/^fgk\.console\.[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.split('.')[2]!, 'base64url')).toHaveLength(32);
    expect(record).toMatchObject({
      id: 'console',
      scopes: ['risk:read', 'alerts:read'],
      revoked: false,
      hash: hashApiKey(key),
    });
    expect(JSON.stringify(record)).not.toContain(key.split('.')[2]);
    expect(apiKeyId(key)).toBe('console');
    expect(createApiKey({ name: 'x', scopes: ['risk:read'] }).key).not.toBe(
      createApiKey({ name: 'x', scopes: ['risk:read'] }).key,
    );
  });

  it('adds records to a key file, replacing one with the same id', () => {
    const first = createApiKey({ name: 'a', scopes: ['risk:read'], id: 'a' });
    addApiKeyToFile(file, first.record);
    addApiKeyToFile(file, createApiKey({ name: 'b', scopes: ['alerts:read'], id: 'b' }).record);
    addApiKeyToFile(file, { ...first.record, revoked: true });
    expect(readApiKeyFile(file).keys.map((key) => [key.id, key.revoked])).toEqual([
      ['b', false],
      ['a', true],
    ]);
  });
});

describe('ApiKeyStore', () => {
  it('accepts a listed key and refuses a wrong, revoked, expired or foreign one with the reason', () => {
    const good = createApiKey({ name: 'good', scopes: ['risk:read'], id: 'good' });
    const gone = createApiKey({ name: 'gone', scopes: ['risk:read'], id: 'gone' });
    const old = createApiKey({ name: 'old', scopes: ['risk:read'], id: 'old', expiresAt: new Date(1000) });
    writeApiKeyFile(file, { keys: [good.record, { ...gone.record, revoked: true }, old.record] });
    const store = new ApiKeyStore(file, 1000, silent);
    store.start();
    try {
      const ok = store.check(good.key, Date.now());
      expect(ok).toEqual({
        ok: true,
        principal: expect.objectContaining({ id: 'key:good', kind: 'api-key' }),
      });
      const forged = `fgk.good.${'A'.repeat(43)}`;
      expect(store.check(forged, Date.now())).toEqual({ ok: false, detail: 'unknown API key' });
      expect(store.check(gone.key, Date.now())).toEqual({ ok: false, detail: 'API key gone is revoked' });
      expect(store.check(old.key, Date.now())).toMatchObject({
        ok: false,
        detail: expect.stringContaining('expired'),
      });
      expect(store.check('hunter2', Date.now())).toEqual({ ok: false, detail: 'not a FlowGuard API key' });
    } finally {
      store.stop();
    }
  });

  it('stops start-up on a bad file, naming API_KEYS_FILE and what is wrong', () => {
    writeFileSync(
      file,
      JSON.stringify({ keys: [{ id: 'x', name: 'x', hash: 'plaintext-secret', scopes: ['risk:read'] }] }),
    );
    const store = new ApiKeyStore(file, 1000, silent);
    let error: unknown;
    try {
      store.start();
    } catch (caught) {
      error = caught;
    }
    expect(isFlowGuardError(error, 'FG_CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/API_KEYS_FILE: keys\.0\.hash/);
  });

  it('keeps the keys it had when the file turns invalid, and takes the next valid version', async () => {
    const a = createApiKey({ name: 'a', scopes: ['risk:read'], id: 'a' });
    writeApiKeyFile(file, { keys: [a.record] });
    const outcomes: string[] = [];
    const store = new ApiKeyStore(file, 1000, silent, (outcome) => outcomes.push(outcome));
    store.start();
    try {
      writeFileSync(file, '{"keys": [');
      await until(() => outcomes.length === 1);
      expect(outcomes).toEqual(['failed']);
      expect(store.check(a.key, Date.now()).ok).toBe(true);
      writeApiKeyFile(file, { keys: [{ ...a.record, revoked: true }] });
      await until(() => outcomes.length === 2);
      expect(store.check(a.key, Date.now()).ok).toBe(false);
    } finally {
      store.stop();
    }
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
