// One transactional id per input partition fences zombies: whoever registers it last owns the
// partition's output, and an older owner's transaction never becomes visible to read_committed.
import { afterEach, describe, expect, it } from 'vitest';
import type { ChunkHandler, SourceRecord } from '../../../services/detector/src/kafka/chunk-contract.js';
import {
  echo,
  eventually,
  kafkaFixture,
  metricValue,
  type KafkaFixture,
} from '../../support/kafka-runtime-fixture.js';

let fixture: KafkaFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const keys = (partition: number, n: number) => Array.from({ length: n }, (_, i) => `${partition}/${i}`);
const transactionalIdOf = (f: KafkaFixture, partition: number) =>
  `${f.config.kafka.transactionalIdPrefix}.${f.config.kafka.inputTopic}.${partition}`;

describe('zombie fencing', () => {
  it('aborts the open transaction of an older owner when it takes the partition', async () => {
    fixture = await kafkaFixture();
    const f = fixture;
    const out = f.config.kafka.alertsTopic;
    // An owner from an earlier generation that wrote output and never committed.
    const zombie = f.kafka.producer({ transactionalId: transactionalIdOf(f, 0), maxInFlightRequests: 1 });
    await zombie.connect();
    const open = await zombie.transaction();
    await open.sendBatch({
      acks: -1,
      topicMessages: [{ topic: out, messages: [{ key: 'zombie', value: 'late' }] }],
    });

    await f.send(
      Array.from({ length: 20 }, (_, i) => `v${i}`),
      0,
    );
    await f.startRuntime({
      handler: async (_ctx, records) => ({ records: records.map((r) => echo(out, r)) }),
    });
    await f.caughtUp();

    await expect(open.commit()).rejects.toThrow();
    await zombie.disconnect();
    expect((await f.readAll(out)).map((o) => o.key).sort()).toEqual(keys(0, 20).sort());
  });

  it('stops when a newer owner takes its transactional id, and the fenced output never shows', async () => {
    fixture = await kafkaFixture({ pipeline: { chunkSize: 10 } });
    const f = fixture;
    const out = f.config.kafka.alertsTopic;
    const inHand = deferred<SourceRecord[]>();
    const mayFinish = deferred<void>();
    let calls = 0;
    const handler: ChunkHandler = async (_ctx, records) => {
      calls += 1;
      if (calls === 3) {
        inHand.resolve(records);
        await mayFinish.promise;
      }
      return { records: records.map((r) => echo(out, r)) };
    };
    await f.send(
      Array.from({ length: 50 }, (_, i) => `v${i}`),
      0,
    );
    const { runtime, metrics } = await f.startRuntime({ handler, recheckMs: 500 });
    const chunk = await inHand.promise;
    expect(chunk[0]!.offset).toBe('20');

    // A newer owner registers the partition's transactional id while the runtime is mid-chunk.
    const owner = f.kafka.producer({ transactionalId: transactionalIdOf(f, 0), maxInFlightRequests: 1 });
    await owner.connect();
    const tx = await owner.transaction();
    await tx.sendBatch({
      acks: -1,
      topicMessages: [{ topic: out, messages: [{ key: 'owner', value: 'newer' }] }],
    });
    await tx.commit();
    mayFinish.resolve();
    await eventually(async () => (await metricValue(metrics.kafkaTransactions, { result: 'fenced' })) >= 1);
    await owner.disconnect();

    // The group still gives the partition to the runtime: it takes it back and redoes the chunk.
    await f.caughtUp();
    const outputs = (await f.readAll(out)).map((o) => o.key);
    expect(outputs.sort()).toEqual([...keys(0, 50), 'owner'].sort());
    expect(runtime.partitions()[0]!.state).toBe('open');
  });

  it('skips, on taking the partition back, the records a newer owner committed meanwhile', async () => {
    fixture = await kafkaFixture({ pipeline: { chunkSize: 10 } });
    const f = fixture;
    const out = f.config.kafka.alertsTopic;
    const inHand = deferred<void>();
    const mayFinish = deferred<void>();
    const contexts: { committed: bigint | null; first: string }[] = [];
    const handler: ChunkHandler = async (ctx, records) => {
      contexts.push({ committed: ctx.committedOffset, first: records[0]!.offset });
      if (contexts.length === 3) {
        inHand.resolve();
        await mayFinish.promise;
      }
      return { records: records.map((r) => echo(out, r)) };
    };
    await f.send(
      Array.from({ length: 50 }, (_, i) => `v${i}`),
      0,
    );
    await f.startRuntime({ handler, recheckMs: 300 });
    await inHand.promise;

    // The newer owner processed records 20..34: its output and their offsets commit together.
    const owner = f.kafka.producer({ transactionalId: transactionalIdOf(f, 0), maxInFlightRequests: 1 });
    await owner.connect();
    const tx = await owner.transaction();
    await tx.sendBatch({
      acks: -1,
      topicMessages: [{ topic: out, messages: [{ key: 'owner', value: 'records 20..34' }] }],
    });
    await tx.sendOffsets({
      consumerGroupId: f.config.kafka.groupId,
      topics: [{ topic: f.config.kafka.inputTopic, partitions: [{ partition: 0, offset: '35' }] }],
    });
    await tx.commit();
    await owner.disconnect();
    mayFinish.resolve();

    await f.caughtUp();
    const outputs = (await f.readAll(out)).map((o) => o.key);
    expect(outputs.sort()).toEqual([...keys(0, 50).filter((_, i) => i < 20 || i >= 35), 'owner'].sort());
    // kafkajs fetched from 20 again; the runtime started from the freshly read committed offset.
    expect(contexts.slice(3)).toEqual([
      { committed: 35n, first: '35' },
      { committed: 45n, first: '45' },
    ]);
  });

  it('two members share the partitions; one stopped midway, every output is published exactly once', async () => {
    fixture = await kafkaFixture({ partitions: 4, pipeline: { chunkSize: 10 } });
    const f = fixture;
    const out = f.config.kafka.alertsTopic;
    const input = f.config.kafka.inputTopic;
    // The first member is slow, so it still has work in hand when the second joins and when it stops.
    const echoAfter =
      (ms: number): ChunkHandler =>
      async (_ctx, records) => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return { records: records.map((r) => echo(out, r)) };
      };
    for (let p = 0; p < 4; p++) {
      await f.send(
        Array.from({ length: 300 }, (_, i) => `p${p}-${i}`),
        p,
      );
    }
    const committedSum = async () => {
      const [offsets] = await f.admin.fetchOffsets({ groupId: f.config.kafka.groupId, topics: [input] });
      return offsets!.partitions.reduce((sum, p) => sum + (p.offset === '-1' ? 0n : BigInt(p.offset)), 0n);
    };
    const first = await f.startRuntime({ handler: echoAfter(100) });
    await eventually(async () => (await committedSum()) >= 40n);
    const second = await f.startRuntime({ handler: echoAfter(1) });
    await eventually(async () => second.runtime.partitions().some((p) => p.state === 'open'));
    await first.runtime.stop();
    expect(await committedSum()).toBeLessThan(1_200n);
    await f.caughtUp(60_000);

    const outputs = (await f.readAll(out)).map((o) => o.key);
    expect(outputs.length).toBe(1_200);
    expect(outputs.sort()).toEqual([0, 1, 2, 3].flatMap((p) => keys(p, 300)).sort());
  });
});

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
