// The consumer runtime on the real broker: every output is visible to a read_committed reader exactly
// once, the input offsets commit in the same transactions with the gate's metadata, and a stop in the
// middle of a batch commits what was finished and loses nothing.
import { afterEach, describe, expect, it } from 'vitest';
import type { ChunkHandler, SourceRecord } from '../../../services/detector/src/kafka/chunk-contract.js';
import {
  echo,
  eventually,
  kafkaFixture,
  metricValue,
  type KafkaFixture,
} from '../../support/kafka-runtime-fixture.js';
import { createMetrics } from '../../../services/detector/src/metrics.js';

let fixture: KafkaFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const values = (n: number, prefix = 'v') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const keysOf = (records: { partition: number; offset: string }[]) =>
  records.map((r) => `${r.partition}/${r.offset}`).sort();

describe('consumer runtime', () => {
  it('publishes each output once, in the transaction that commits its input offset with the metadata', async () => {
    fixture = await kafkaFixture({ partitions: 2, pipeline: { chunkSize: 40 } });
    const f = fixture;
    const out = f.config.kafka.alertsTopic;
    const contexts: { committed: bigint | null; first: string; streamKey: string }[] = [];
    // How many transactions had committed when each chunk's afterCommit ran.
    const metrics = createMetrics();
    const settled: number[] = [];
    const handler: ChunkHandler = async (ctx, records) => {
      contexts.push({ committed: ctx.committedOffset, first: records[0]!.offset, streamKey: ctx.streamKey });
      return {
        records: records.map((r) => echo(out, r)),
        afterCommit: async () => {
          settled.push(await metricValue(metrics.kafkaTransactions, { result: 'committed' }));
          if (settled.length === 2) throw new Error('settling failed (never fatal)');
        },
      };
    };
    await f.send(values(150), 0);
    await f.send(values(90), 1);
    const { runtime } = await f.startRuntime({
      handler,
      metrics,
      gate: {
        open: async ({ partition }) => ({
          ok: true,
          streamKey: `inc-1/${partition}`,
          offsetMetadata: 'epoch-7',
        }),
      },
    });

    await f.caughtUp();
    const outputs = await f.readAll(out);
    const inputs = await f.readAll(f.config.kafka.inputTopic);
    expect(outputs.map((o) => o.key).sort()).toEqual(keysOf(inputs));
    expect(new Set(outputs.map((o) => o.key)).size).toBe(240);

    const [committed] = await f.admin.fetchOffsets({
      groupId: f.config.kafka.groupId,
      topics: [f.config.kafka.inputTopic],
    });
    expect(committed!.partitions.sort((a, b) => a.partition - b.partition)).toEqual([
      { partition: 0, offset: '150', metadata: 'epoch-7' },
      { partition: 1, offset: '90', metadata: 'epoch-7' },
    ]);
    expect(await runtime.committedOffsets(f.config.kafka.inputTopic)).toEqual(
      new Map([
        [0, 150n],
        [1, 90n],
      ]),
    );
    // Each chunk starts where the previous one committed, and knows it.
    for (const c of contexts) expect(c.committed === null ? '0' : String(c.committed)).toBe(c.first);
    expect(new Set(contexts.map((c) => c.streamKey))).toEqual(new Set(['inc-1/0', 'inc-1/1']));
    expect(await metricValue(metrics.kafkaTransactions, { result: 'committed' })).toBe(contexts.length);
    // Each chunk settles after its own transaction committed (two partitions interleave).
    expect(settled.length).toBe(contexts.length);
    settled.forEach((committedBefore, i) => expect(committedBefore).toBeGreaterThanOrEqual(i + 1));
    expect(await runtime.readiness()).toEqual({ ready: true, reasons: [] });
    expect(runtime.partitions().map((p) => [p.partition, p.state, p.committedOffset, p.stalled])).toEqual([
      [0, 'open', '150', false],
      [1, 'open', '90', false],
    ]);
  });

  it('commits the offsets of chunks without outputs, one transaction after another, without retries', async () => {
    fixture = await kafkaFixture({ partitions: 1, pipeline: { chunkSize: 1 } });
    const f = fixture;
    await f.send(values(100), 0);
    const { runtime, metrics } = await f.startRuntime({ handler: async () => ({ records: [] }) });
    await f.caughtUp();
    expect(await runtime.committedOffsets(f.config.kafka.inputTopic)).toEqual(new Map([[0, 100n]]));
    expect(await metricValue(metrics.kafkaTransactions, { result: 'committed' })).toBe(100);
    expect((await metrics.batchRetries.get()).values).toEqual([]);
  });

  it('on stop, finishes and commits the chunk in hand, and a restart publishes the rest exactly once', async () => {
    fixture = await kafkaFixture({ partitions: 1, pipeline: { chunkSize: 10 } });
    const f = fixture;
    const out = f.config.kafka.alertsTopic;
    const inHand = deferred<SourceRecord[]>();
    const mayFinish = deferred<void>();
    let calls = 0;
    const handler: ChunkHandler = async (_ctx, records) => {
      calls += 1;
      if (calls === 4) {
        inHand.resolve(records);
        await mayFinish.promise;
      }
      return { records: records.map((r) => echo(out, r)) };
    };
    await f.send(values(200), 0);
    const first = await f.startRuntime({ handler });
    const chunk = await inHand.promise;
    const stopped = first.runtime.stop();
    mayFinish.resolve();
    await stopped;

    // The group coordinator applies a transaction's offsets a moment after the commit returns.
    const stoppedAt = BigInt(chunk[chunk.length - 1]!.offset) + 1n;
    await eventually(async () => (await committedOffset(f)) === stoppedAt);
    expect(stoppedAt).toBeLessThan(200n);
    expect((await f.readAll(out)).length).toBe(Number(stoppedAt));

    await f.startRuntime({
      handler: async (_ctx, records) => ({ records: records.map((r) => echo(out, r)) }),
    });
    await f.caughtUp();
    const all = await f.readAll(out);
    expect(all.map((o) => o.key).sort()).toEqual(keysOf(await f.readAll(f.config.kafka.inputTopic)));
  });

  it('on stop, asks a handler that does not finish in time to give up, and commits nothing of its chunk', async () => {
    fixture = await kafkaFixture({ partitions: 1, pipeline: { chunkSize: 10, shutdownTimeoutMs: 300 } });
    const f = fixture;
    const out = f.config.kafka.alertsTopic;
    const inHand = deferred<void>();
    let calls = 0;
    const handler: ChunkHandler = async (ctx, records) => {
      calls += 1;
      if (calls === 2) {
        inHand.resolve();
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        throw new Error('gave up');
      }
      return { records: records.map((r) => echo(out, r)) };
    };
    await f.send(values(30), 0);
    const { runtime } = await f.startRuntime({ handler });
    await inHand.promise;
    await runtime.stop();
    expect(await committedOffset(f)).toBe(10n);
    expect((await f.readAll(out)).map((o) => o.key).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `0/${i}`).sort(),
    );
    expect(await f.readAll(f.config.kafka.deadLetterTopic)).toEqual([]);
  });

  it('takes no more of a partition per chunk than KAFKA_FETCH_PARTITION_BYTES fetches', async () => {
    fixture = await kafkaFixture({
      partitions: 1,
      env: { KAFKA_FETCH_PARTITION_BYTES: '16384', KAFKA_FETCH_BYTES: '16384' },
      pipeline: { chunkSize: 100_000 },
    });
    const f = fixture;
    // 2,000 records of ~200 bytes in sends of 50 (a record batch of ~10 KB each): with kafkajs's
    // default of 1 MiB a partition the whole backlog would be one fetch, and so one chunk.
    const body = 'x'.repeat(200);
    for (let i = 0; i < 40; i++) await f.send(values(50, `${i}-${body}-`), 0);
    const chunks: number[] = [];
    await f.startRuntime({
      handler: async (_ctx, records) => {
        chunks.push(records.length);
        return { records: [] };
      },
    });
    await f.caughtUp();
    expect(chunks.reduce((sum, n) => sum + n, 0)).toBe(2_000);
    // A fetch returns whole record batches: one that fits, and past the bound only the first.
    expect(Math.max(...chunks)).toBeLessThanOrEqual(100);
  });
});

async function committedOffset(f: KafkaFixture, partition = 0): Promise<bigint | null> {
  const [offsets] = await f.admin.fetchOffsets({
    groupId: f.config.kafka.groupId,
    topics: [f.config.kafka.inputTopic],
  });
  const entry = offsets!.partitions.find((p) => p.partition === partition);
  return entry && entry.offset !== '-1' ? BigInt(entry.offset) : null;
}

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
