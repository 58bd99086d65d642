// The transactional producer of one input partition: its outputs and its input offset commit in one
// Kafka transaction, under the transactional id "<prefix>.<topic>.<partition>" that fences older owners.
import { Partitioners, type Kafka, type Message, type PartitionOffset, type Producer } from 'kafkajs';
import type { Metrics } from '../metrics.js';
import type { OutputRecord } from './chunk-contract.js';

export interface OffsetCommit {
  topic: string;
  partition: number;
  /** The offset of the next record to process (last processed + 1). */
  nextOffset: bigint;
  metadata: string;
}

export interface TransactionalOutputOptions {
  kafka: Kafka;
  transactionalId: string;
  consumerGroupId: string;
  /** The broker's limit for one record batch; one produce request carries at most about this much. */
  maxBatchBytes: number;
  /** Upper bound of kafkajs's own retry delay, so a failing send gives up and the worker decides. */
  retryMaxBackoffMs: number;
  metrics: Pick<Metrics, 'kafkaTransactions'>;
}

/** Kafka's per-record framing (lengths, attributes, deltas) and the record batch header, generously. */
const RECORD_FRAMING_BYTES = 64;
const BATCH_HEADER_BYTES = 1_024;
/** Beyond about 5 s of waiting, CONCURRENT_TRANSACTIONS is the worker's (transient) problem. */
const CONCURRENT_WAIT_LIMIT_MS = 2_560;

export class TransactionalOutput {
  private producer: Producer | null = null;

  constructor(private readonly options: TransactionalOutputOptions) {}

  get transactionalId(): string {
    return this.options.transactionalId;
  }

  /**
   * Replaces the producer with a fresh one and registers it (InitProducerId): an older producer with
   * the same transactional id is fenced, its open transaction aborted, and our epoch starts clean.
   */
  async open(): Promise<void> {
    await this.close();
    const o = this.options;
    // kafkajs makes every transactional send idempotent (sequence numbers under the transactional
    // producer id) whatever `idempotent` says; the flag would only add a second, non-transactional
    // producer id at connect and unbounded send retries, which would hide a broker outage from us.
    const producer = o.kafka.producer({
      transactionalId: o.transactionalId,
      idempotent: false,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Short first retries: the next transaction's first request usually meets CONCURRENT_TRANSACTIONS
      // while the broker still writes the previous one's markers (a few ms), and kafkajs retries it here.
      retry: { retries: 10, initialRetryTime: 10, maxRetryTime: Math.max(1_000, o.retryMaxBackoffMs) },
    });
    this.producer = producer;
    await producer.connect();
    // transaction() sends InitProducerId on first use; ending the empty transaction sends nothing.
    const fencing = await producer.transaction();
    await fencing.abort();
  }

  /** One transaction: the records, then the input offset with its metadata, then commit. */
  async publish(records: OutputRecord[], offset: OffsetCommit): Promise<void> {
    if (!this.producer) throw new Error(`transactional producer ${this.transactionalId} is not open`);
    const tx = await this.producer.transaction();
    try {
      for (const topicMessages of produceRequests(records, this.options.maxBatchBytes)) {
        await tx.sendBatch({ acks: -1, topicMessages });
      }
      // kafkajs's types omit the metadata its TxnOffsetCommit request carries.
      const committed: PartitionOffset & { metadata: string } = {
        partition: offset.partition,
        offset: offset.nextOffset.toString(),
        metadata: offset.metadata,
      };
      await whileConcurrent(() =>
        tx.sendOffsets({
          consumerGroupId: this.options.consumerGroupId,
          topics: [{ topic: offset.topic, partitions: [committed] }],
        }),
      );
      await tx.commit();
    } catch (error) {
      if (tx.isActive()) {
        await tx.abort().then(
          () => this.options.metrics.kafkaTransactions.inc({ result: 'aborted' }),
          () => undefined,
        );
      }
      throw error;
    }
    this.options.metrics.kafkaTransactions.inc({ result: 'committed' });
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    if (producer) await producer.disconnect().catch(() => undefined);
  }
}

/**
 * kafkajs retries CONCURRENT_TRANSACTIONS for produce but not for AddOffsetsToTxn, which a chunk
 * without outputs sends first, right after the previous commit: retry it briefly here.
 */
async function whileConcurrent(send: () => Promise<void>): Promise<void> {
  for (let wait = 5; ; wait *= 2) {
    try {
      return await send();
    } catch (error) {
      if ((error as { type?: unknown }).type !== 'CONCURRENT_TRANSACTIONS' || wait > CONCURRENT_WAIT_LIMIT_MS)
        throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/**
 * Groups records into produce requests that each stay under the broker's record-batch limit (kafkajs
 * puts all of one request's records for a partition into one batch). A record that is too large
 * alone goes alone, and the broker's refusal names it.
 */
export function produceRequests(
  records: OutputRecord[],
  maxBatchBytes: number,
): { topic: string; messages: Message[] }[][] {
  const budget = Math.max(1, maxBatchBytes - BATCH_HEADER_BYTES);
  const requests: { topic: string; messages: Message[] }[][] = [];
  let current = new Map<string, Message[]>();
  let size = 0;
  const flush = () => {
    if (current.size) requests.push([...current].map(([topic, messages]) => ({ topic, messages })));
    current = new Map();
    size = 0;
  };
  for (const record of records) {
    const bytes = Buffer.byteLength(record.key) + Buffer.byteLength(record.value) + RECORD_FRAMING_BYTES;
    if (size > 0 && size + bytes > budget) flush();
    const messages = current.get(record.topic) ?? [];
    messages.push({ key: record.key, value: record.value });
    current.set(record.topic, messages);
    size += bytes;
  }
  flush();
  return requests;
}
