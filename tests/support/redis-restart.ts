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

export async function crashRedisNode(node: { host: string; port: number }): Promise<CrashedRedis> {
  const admin = adminRedis(node);
  const configFile = /^config_file:(.*)$/m.exec(await admin.info('server'))?.[1]?.trim() ?? '';
  const settings: Record<string, string> = {};
  for (const name of REPORTED_SETTINGS)
    settings[name] = ((await admin.config('GET', name)) as string[])[1] ?? '';
  await admin.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
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
