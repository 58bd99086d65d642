// The bench's backlog as Kafka records in memory, for the harnesses that drive the chunk handler
// without Kafka (chunk-gc-run.ts, and in-process-run.ts for cache-heap, alloc-sites and warm-passes):
// split by key as a producer would (not Kafka's own hash: only the split's shape matters), then run
// chunk by chunk, every partition concurrently, as the detector does.
import { createHash } from 'node:crypto';
import type { SourceRecord } from '../../detector/src/kafka/chunk-contract.js';
import { BacklogGenerator } from './event-generator.js';

const DAY = 86_400_000;

export interface InProcessBacklog {
  events: number;
  wallets: number;
  seed: number;
  partitions: number;
  topic: string;
  /** Prefix of every eventId (a run's own, so nothing it writes meets another run's). */
  eventIdPrefix: string;
}

/** The backlog's records, partition by partition, offsets from 0. */
export function backlogRecords(backlog: InProcessBacklog): SourceRecord[][] {
  const { wallets, seed, eventIdPrefix, partitions, topic } = backlog;
  const generator = new BacklogGenerator(
    { wallets, seed, eventIdPrefix },
    backlog.events,
    Date.now(),
    2 * DAY,
  );
  const byPartition: SourceRecord[][] = Array.from({ length: partitions }, () => []);
  while (generator.remaining > 0) {
    for (const message of generator.nextChunk(5_000)) {
      const partition = createHash('md5').update(message.key).digest()[0]! % partitions;
      const records = byPartition[partition]!;
      records.push({
        topic,
        partition,
        offset: String(records.length),
        timestampMs: Date.now(),
        key: message.key,
        value: message.value,
      });
    }
  }
  return byPartition;
}

/** What runBacklog drives: tests/support/chunk-pipeline.ts's handler, of this tree or another's. */
export interface ChunkRunner {
  committed: Map<number, bigint>;
  run(partition: number, records: SourceRecord[]): Promise<{ afterCommit?: () => Promise<void> }>;
}

/**
 * Every partition's records in chunks of `chunkSize`, each committed before the next, partitions
 * concurrently. The records may start at any offset (the second half of a backlog): each chunk commits
 * the offset after its last record.
 */
export async function runBacklog(
  pipeline: ChunkRunner,
  byPartition: SourceRecord[][],
  chunkSize: number,
): Promise<void> {
  await Promise.all(
    byPartition.map(async (records, partition) => {
      for (let at = 0; at < records.length; at += chunkSize) {
        const chunk = records.slice(at, at + chunkSize);
        const outcome = await pipeline.run(partition, chunk);
        pipeline.committed.set(partition, BigInt(chunk[chunk.length - 1]!.offset) + 1n);
        await outcome.afterCommit?.();
      }
    }),
  );
}
