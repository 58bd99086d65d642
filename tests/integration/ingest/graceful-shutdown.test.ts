// The detector as a real process: SIGTERM stops fetching, finishes and commits the batch in hand,
// and exits 0; what it consumed is committed, so a restart processes nothing twice.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { testKafka, testRedis } from '../../support/clients.js';
import { campaign, HOUR } from '../../support/events.js';
import { loadConfig } from '../../../services/detector/src/config/index.js';
import { WalletStateStore } from '../../../services/detector/src/state/wallet-state-store.js';
import { deleteKeys, testEnv } from '../../support/test-detector.js';
import { createTopicsAndWait } from '../../../services/detector/src/kafka/topics.js';

describe('detector process', () => {
  const env = testEnv({ LOG_LEVEL: 'info', PORT: '0' });
  const kafka = testKafka();
  const admin = kafka.admin();

  afterAll(async () => {
    await admin
      .deleteTopics({
        topics: [
          env.INPUT_TOPIC!,
          env.ALERTS_TOPIC!,
          env.DEAD_LETTER_TOPIC!,
          env.AUDIT_TOPIC!,
          env.MENTIONS_TOPIC!,
        ],
      })
      .catch(() => undefined);
    await admin.disconnect();
    const redis = testRedis();
    await deleteKeys(redis, `${env.REDIS_KEY_PREFIX}:*`);
    redis.disconnect();
  });

  it('exits 0 on SIGTERM with every consumed offset committed', async () => {
    // A backlog waiting on existing topics, as in production, before the process starts.
    await admin.connect();
    await createTopicsAndWait(
      admin,
      [env.INPUT_TOPIC!, env.ALERTS_TOPIC!, env.DEAD_LETTER_TOPIC!].map((topic) => ({
        topic,
        numPartitions: 2,
      })),
    );
    const producer = kafka.producer();
    await producer.connect();
    const events = campaign('w-sigterm', Date.now() - 20 * HOUR, 5000, 10_000);
    for (let k = 0; k < events.length; k += 1000) {
      await producer.send({
        topic: env.INPUT_TOPIC!,
        acks: -1,
        messages: events.slice(k, k + 1000).map((e) => ({ key: e.toWalletId!, value: JSON.stringify(e) })),
      });
    }
    await producer.disconnect();

    // The standalone Redis the test reads, not the cluster the stack also names (and another test
    // restarts a node of).
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete childEnv.REDIS_CLUSTER_NODES;
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/detector/src/server.ts'], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitForOutput(() => output, /FlowGuard detector running/, 60_000);

    // Stop it as soon as it has applied part of the backlog.
    const redis = testRedis();
    const store = new WalletStateStore(redis, env.REDIS_KEY_PREFIX!, loadConfig(env).features);
    const applied = async () => (await store.read('w-sigterm'))?.lifetime.inCount ?? 0;
    for (let i = 0; i < 1200 && (await applied()) === 0; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/stopped cleanly/);

    // Whatever was applied was committed: the committed offsets match what the process applied.
    const [committed] = await admin.fetchOffsets({
      groupId: env.KAFKA_GROUP_ID!,
      topics: [env.INPUT_TOPIC!],
    });
    const committedCount = committed!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    const appliedCount = await applied();
    redis.disconnect();
    if (appliedCount === 0) console.log(output.slice(-3000));
    expect(appliedCount).toBeGreaterThan(0);
    expect(appliedCount).toBe(committedCount);
  }, 90_000);
});

async function waitForOutput(read: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(read())) {
    if (Date.now() > deadline)
      throw new Error(`process output did not match ${pattern}:\n${read().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
