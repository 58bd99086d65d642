// The pipeline's gate decides whether a partition may be processed (state epoch, checkpoints): a
// refused partition is left alone, uncommitted, and readiness says why until the gate accepts it.
import { afterEach, describe, expect, it } from 'vitest';
import { FlowGuardError } from '../../../services/detector/src/errors.js';
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

  it('opens the partition again when a chunk finds the state behind, and replays what the gate says was lost', async () => {
    fixture = await kafkaFixture({ partitions: 1, pipeline: { chunkSize: 10 } });
    const f = fixture;
    const out = f.config.kafka.alertsTopic;
    const seen: number[] = [];
    const replayedWith: (bigint | null)[] = [];
    let lost = false;
    // Offset 20 arrives after Redis lost everything after offset 9 (the group committed up to 20).
    const handler: ChunkHandler = async (ctx, records) => {
      if (lost && Number(records[0]!.offset) < 20) replayedWith.push(ctx.committedOffset);
      if (!lost && records.some((r) => r.offset === '20')) {
        lost = true;
        throw new FlowGuardError('FG_STATE_LOST', 'Redis holds stream s/0 up to offset 9, not 19');
      }
      seen.push(...records.map((r) => Number(r.offset)));
      return { records: records.map((r) => echo(out, r)) };
    };
    const openings: PartitionOpening[] = [];
    const gate: PartitionGate = {
      open: async (opening) => {
        openings.push(opening);
        const replayFrom = lost && opening.committedOffset === 20n ? 10n : null;
        return { ok: true, streamKey: 's/0', offsetMetadata: 'epoch-1', replayFrom };
      },
    };
    await f.send(
      Array.from({ length: 20 }, (_, i) => `a${i}`),
      0,
    );
    await f.startRuntime({ handler, gate });
    await eventually(
      async () =>
        (
          await f.admin.fetchOffsets({ groupId: f.config.kafka.groupId, topics: [f.config.kafka.inputTopic] })
        )[0]!.partitions[0]!.offset === '20',
    );
    await f.send(
      Array.from({ length: 10 }, (_, i) => `b${i}`),
      0,
    );
    await f.caughtUp();

    // Opened again through the gate with the committed offset; 10..19 applied again, 20..29 once.
    expect(openings.map((o) => o.committedOffset)).toContain(20n);
    expect(seen.filter((o) => o >= 10 && o < 20)).toHaveLength(20);
    expect(seen.filter((o) => o >= 20).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 10 }, (_, i) => 20 + i),
    );
    // The replayed chunks knew the group had committed past them, so the pipeline publishes nothing
    // of theirs again (ChunkSession.alreadyPublished).
    expect(replayedWith.length).toBeGreaterThan(0);
    expect(replayedWith.every((committed) => committed === 20n)).toBe(true);
  });
});
