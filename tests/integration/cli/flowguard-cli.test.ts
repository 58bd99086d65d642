// The operator's command against the real stack: rules check, keys create, replay, wallet, flags list.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deposit, MINUTE } from '../../support/events.js';
import { startTestDetector, testEnv, type TestDetector } from '../../support/test-detector.js';

const run = promisify(execFile);

async function flowguard(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/flowguard.mjs', ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('flowguard command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-cli-'));
  let t: TestDetector;
  let url: string;

  beforeAll(async () => {
    t = await startTestDetector();
    url = await t.detector.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => t?.stop());

  it('checks a rules file and names what is wrong with a bad one', async () => {
    const good = await flowguard(['rules', 'check', 'services/detector/rules/default-rules.yaml']);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/valid — \d+ rules in force: crowdfunding-fan-in/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nrules: []\n');
    const refused = await flowguard(['rules', 'check', bad]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/FG_RULES_INVALID/);
  });

  it('creates a key: the file holds its hash, the key is printed once', async () => {
    const file = join(dir, 'keys.json');
    const created = await flowguard([
      'keys',
      'create',
      '--scopes',
      'risk:read',
      '--name',
      'auditor',
      '--file',
      file,
    ]);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^fgk\./);
    const stored = readFileSync(file, 'utf8');
    expect(stored).not.toContain(key);
    expect(JSON.parse(stored).keys[0]).toMatchObject({ name: 'auditor', scopes: ['risk:read'] });
    const unknown = await flowguard(['keys', 'create', '--scopes', 'root', '--name', 'x', '--file', file]);
    expect(unknown.code).not.toBe(0);
  });

  it('replays an NDJSON file into the input topic, and reads the wallet and its flags back', async () => {
    const file = join(dir, 'events.ndjson');
    const events = Array.from({ length: 5 }, (_, i) => deposit('w-cli', Date.now() - (10 - i) * MINUTE));
    writeFileSync(file, [...events.map((e) => JSON.stringify(e)), '{"not": "an event"}'].join('\n'));
    const env = testEnv();
    const replay = await flowguard(['replay', file], {
      ...env,
      INPUT_TOPIC: t.config.kafka.inputTopic,
      KAFKA_BROKERS: t.config.kafka.brokers.join(','),
    });
    expect(replay.code).toBe(3); // one line rejected
    expect(JSON.parse(replay.stdout)).toMatchObject({ accepted: 5, rejected: 1 });
    await t.caughtUp();
    const wallet = await flowguard(['wallet', 'w-cli', '--url', url, '--key', t.apiKey]);
    expect(wallet.code).toBe(0);
    expect(JSON.parse(wallet.stdout).features.lifetime.inCount).toBe(5);
    const flags = await flowguard(['flags', 'list', 'w-cli', '--url', url, '--key', t.apiKey]);
    expect(flags.code).toBe(0);
    expect(JSON.parse(flags.stdout)).toHaveProperty('flags');
    const denied = await flowguard(['wallet', 'w-cli', '--url', url, '--key', 'fgk.nobody.secret']);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/401/);
  });
});
