// The demo's detector lifecycle (scripts/detector-daemon.sh, behind `npm run demo` and
// `npm run demo:stop`): the real detector starts as `npm start` does, in a process group of its own;
// stop ends every process of that group, not only the npm wrapper, and frees the port; stopping
// twice is harmless.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { testKafka, testRedis } from '../../support/clients.js';
import { sparePort } from '../../support/redis-server.js';
import { deleteKeys, testEnv } from '../../support/test-detector.js';

const run = promisify(execFile);

/** Pids whose process group is `pgid`, read from /proc (members whose parent exited included). */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 5 is the pgid; the command (field 2) may hold spaces, so split after its closing paren.
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8')
        .replace(/^.*\) /s, '')
        .split(' ');
      if (Number(fields[2]) === pgid) members.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('detector daemon (demo start/stop)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-daemon-'));
  let env: NodeJS.ProcessEnv;
  const daemon = async (command: 'start' | 'stop' | 'status') => {
    try {
      const { stdout, stderr } = await run('bash', ['scripts/detector-daemon.sh', command], { env });
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, output: e.stdout + e.stderr };
    }
  };

  afterAll(async () => {
    await daemon('stop');
    const admin = testKafka().admin();
    await admin.connect();
    await admin
      .deleteTopics({ topics: [env.INPUT_TOPIC!, env.ALERTS_TOPIC!, env.DEAD_LETTER_TOPIC!] })
      .catch(() => undefined);
    await admin.disconnect();
    const redis = testRedis();
    await deleteKeys(redis, `${env.REDIS_KEY_PREFIX}:*`);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the detector in its own process group and stops every process of it, freeing the port', async () => {
    const port = await sparePort();
    env = {
      ...process.env,
      ...testEnv({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT: '10s' }),
      DETECTOR_DIR: dir,
    };
    // The standalone Redis, not the cluster an exported REDIS_CLUSTER_NODES would switch it to.
    delete env.REDIS_CLUSTER_NODES;

    const started = await daemon('start');
    expect(started.code, started.output).toBe(0);
    const pgid = Number(readFileSync(join(dir, 'pgid'), 'utf8'));
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const members = groupMembers(pgid);
    // npm, the shell of the start script, tsx and the node process that serves: all in one group.
    // tsx runs the detector (scripts/dev/start-detector.ts loads services/detector/src/server.ts).
    expect(members.map(commandLine).some((cmd) => cmd.includes('scripts/dev/start-detector.ts'))).toBe(true);
    expect(members.length).toBeGreaterThanOrEqual(2);
    expect((await daemon('status')).code).toBe(0);

    const again = await daemon('start');
    expect(again.output).toMatch(/already running/);
    expect(Number(readFileSync(join(dir, 'pgid'), 'utf8'))).toBe(pgid);

    const stopped = await daemon('stop');
    expect(stopped.code, stopped.output).toBe(0);
    expect(groupMembers(pgid)).toEqual([]);
    expect(await portAccepts(port)).toBe(false);
    expect(readFileSync(join(dir, 'detector.log'), 'utf8')).toMatch(/stopped cleanly/);

    const twice = await daemon('stop');
    expect(twice.code, twice.output).toBe(0);
    expect(twice.output).toMatch(/not running/);
    expect((await daemon('status')).code).toBe(3);
  }, 120_000);
});
