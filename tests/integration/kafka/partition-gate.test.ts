// The pipeline's gate decides whether a partition may be processed (state epoch, checkpoints): a
// refused partition is left alone, uncommitted, and readiness says why until the gate accepts it.
import { afterEach, describe, expect, it } from 'vitest';
import type {
  ChunkHandler,
  PartitionGate,
  PartitionOpening,
} from '../../../services/detector/src/kafka/chunk-contract.js';
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

const keys = (partition: number, n: number) =>
  Array.from({ length: n }, (_, i) => `${partition}/${i}`).sort();
const WIPED = 'Redis lost its state (no epoch, offsets committed): rebuild with `flowguard backfill`';

describe('partition gate', () => {
  it('leaves a refused partition unprocessed and the runtime not ready, until the gate accepts it', async () => {
    fixture = await kafkaFixture({ partitions: 2 });
    const f = fixture;
    const out = f.config.kafka.alertsTopic;
    const handler: ChunkHandler = async (_ctx, records) => ({ records: records.map((r) => echo(out, r)) });
    let wiped = true;
    const openings: PartitionOpening[] = [];
    const gate: PartitionGate = {
      open: async (opening) => {
        openings.push(opening);
        if (opening.partition === 1 && wiped) return { ok: false, reason: WIPED };
        return { ok: true, streamKey: `s/${opening.partition}`, offsetMetadata: 'epoch-1' };
      },
    };
    await f.send(
      Array.from({ length: 30 }, (_, i) => `a${i}`),
      0,
    );
    await f.send(
      Array.from({ length: 30 }, (_, i) => `b${i}`),
      1,
    );
    const { runtime, metrics } = await f.startRuntime({ handler, gate, recheckMs: 300 });

    // Partition 0 is done and partition 1 was asked about (and refused) at least twice.
    await eventually(async () => {
      const committed = await runtime.committedOffsets(f.config.kafka.inputTopic);
      return committed.get(0) === 30n && openings.filter((o) => o.partition === 1).length >= 2;
    });
    expect(openings.find((o) => o.partition === 1)).toEqual({
      topic: f.config.kafka.inputTopic,
      partition: 1,
      committedOffset: null,
      committedMetadata: null,
      highWatermark: 30n,
      lowWatermark: 0n,
    });
    expect((await runtime.committedOffsets(f.config.kafka.inputTopic)).has(1)).toBe(false);
    const early = await f.readAll(out);
    expect(early.map((o) => o.key).sort()).toEqual(keys(0, 30));
    const readiness = await runtime.readiness();
    expect(readiness).toEqual({
      ready: false,
      reasons: [`partition ${f.config.kafka.inputTopic}/1 is not processed: ${WIPED}`],
    });
    await eventually(
      async () =>
        (await metricValue(metrics.partitionRefused, {
          topic: f.config.kafka.inputTopic,
          partition: '1',
        })) === 1,
    );

    // The operator rebuilt the state: the next look accepts the partition.
    wiped = false;
    await f.caughtUp();
    expect(await runtime.readiness()).toEqual({ ready: true, reasons: [] });
    expect((await f.readAll(out)).map((o) => o.key).sort()).toEqual(
      [
        ...Array.from({ length: 30 }, (_, i) => `0/${i}`),
        ...Array.from({ length: 30 }, (_, i) => `1/${i}`),
      ].sort(),
    );
    const [committed] = await f.admin.fetchOffsets({
      groupId: f.config.kafka.groupId,
      topics: [f.config.kafka.inputTopic],
    });
    expect(committed!.partitions.map((p) => p.metadata)).toEqual(['epoch-1', 'epoch-1']);
  });
});
