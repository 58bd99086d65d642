// Crashes a Redis node (SHUTDOWN NOSAVE) and starts it again exactly as it was started, so whoever
// started it (the local stack) still recognises it: from its config file when it has one (the stack's
// nodes do, with their AOF and ACL user), else from the settings the node reports.
import { execFileSync } from 'node:child_process';
import { adminRedis } from './clients.js';

export interface CrashedRedis {
  /** Starts the node again on the same data directory and waits until it answers PING. */
  restart(timeoutMs?: number): Promise<void>;
}

const REPORTED_SETTINGS = [
  'dir',
  'pidfile',
  'logfile',
  'appendonly',
  'appendfsync',
  'maxmemory-policy',
  'cluster-enabled',
  'cluster-config-file',
  'cluster-node-timeout',
] as const;

/**
 * `how`: 'shutdown' is SHUTDOWN NOSAVE (the AOF is flushed on the way down); 'kill' is SIGKILL, which
 * loses what the AOF had not fsynced yet (up to a second with appendfsync everysec).
 */
export async function crashRedisNode(
  node: { host: string; port: number },
  how: 'shutdown' | 'kill' = 'shutdown',
): Promise<CrashedRedis> {
  const admin = adminRedis(node);
  const server = await admin.info('server');
  const configFile = /^config_file:(.*)$/m.exec(server)?.[1]?.trim() ?? '';
  const pid = Number(/^process_id:(\d+)/m.exec(server)?.[1]);
  const settings: Record<string, string> = {};
  for (const name of REPORTED_SETTINGS)
    settings[name] = ((await admin.config('GET', name)) as string[])[1] ?? '';
  if (how === 'kill') {
    process.kill(pid, 'SIGKILL');
    await waitUntilGone(pid);
  } else {
    await admin.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
  }
  admin.disconnect();

  const args = configFile
    ? [configFile]
    : [
        '--port',
        String(node.port),
        '--bind',
        node.host,
        '--daemonize',
        'yes',
        '--save',
        '',
        ...REPORTED_SETTINGS.flatMap((name) =>
          settings[name] && !(name.startsWith('cluster-') && settings['cluster-enabled'] !== 'yes')
            ? [`--${name}`, settings[name]!]
            : [],
        ),
      ];
  return {
    async restart(timeoutMs = 20_000) {
      execFileSync('redis-server', args);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const probe = adminRedis(node);
        const pong = await probe.ping().catch(() => '');
        probe.disconnect();
        if (pong === 'PONG') return;
        if (Date.now() > deadline) throw new Error(`Redis ${node.host}:${node.port} did not come back`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

async function waitUntilGone(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
