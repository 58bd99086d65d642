// One input partition while this member owns it. On (re)assignment it fences older owners with a fresh
// transactional producer, re-reads the committed offset (the floor) and asks the gate. Then each batch
// runs as chunks, each chunk one transaction (outputs + offset). Transient failures are retried with
// backoff; poison is retried a few times, then bisected down to the record that fails alone, which is
// dead-lettered; a fenced producer means the partition is someone else's and nothing more is committed.
import type { Admin, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig, PipelineConfig } from '../config/index.js';
import type { Metrics } from '../metrics.js';
import type {
  ChunkHandler,
  ChunkOutcome,
  OutputRecord,
  PartitionGate,
  PartitionState,
  PartitionStatus,
  SourceRecord,
} from './chunk-contract.js';
import { deadLetterRecord } from './dead-letter-record.js';
import { classifyFailure, errorMessage, type Failure } from './failure-class.js';
import { TransactionalOutput } from './transactional-output.js';

export type ConsumerMetrics = Pick<
  Metrics,
  'batchRetries' | 'partitionStalled' | 'partitionRefused' | 'kafkaTransactions' | 'deadLettered'
>;

export interface PartitionWorkerOptions {
  topic: string;
  partition: number;
  kafka: Kafka;
  admin: Admin;
  config: { kafka: KafkaConfig; pipeline: PipelineConfig };
  logger: Logger;
  metrics: ConsumerMetrics;
  handler: ChunkHandler;
  gate: PartitionGate;
  /** How long a refused or fenced partition waits before it is opened again. */
  recheckMs: number;
  /** True once the runtime is shutting down: finish the chunk in hand, start no other. */
  isStopping(): boolean;
  /** Stop and restart fetching this partition (the consumer's pause and resume). */
  pause(): void;
  resume(): void;
  /** Fetch this partition from another offset (the consumer's seek). */
  seek(offset: bigint): void;
}

type BatchPayload = Pick<EachBatchPayload, 'batch' | 'heartbeat' | 'resolveOffset' | 'isStale' | 'isRunning'>;

const FIRST_BACKOFF_MS = 100;
/** Waits are cut into slices this long so the member keeps heartbeating and notices a stop. */
const WAIT_SLICE_MS = 500;
const REBALANCE_TYPES = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);

export class PartitionWorker {
  readonly topic: string;
  readonly partition: number;
  private readonly log: Logger;
  private readonly output: TransactionalOutput;
  private state: PartitionState = 'opening';
  /** False after a failed transaction: the next one needs a fresh producer and a fresh floor. */
  private outputReady = false;
  /** The committed offset: the next record to process; records below it were published. */
  private floor: bigint | null = null;
  /** Records below this are skipped: the floor, or lower while replaying what the state lost. */
  private deliverFrom: bigint | null = null;
  private streamKey = '';
  private offsetMetadata = '';
  private refusal: string | null = null;
  private abort = new AbortController();
  private recheck: NodeJS.Timeout | null = null;
  private busySince: number | null = null;
  private progressAt = Date.now();
  private failingSince: number | null = null;
  private lastError: string | null = null;

  constructor(private readonly o: PartitionWorkerOptions) {
    this.topic = o.topic;
    this.partition = o.partition;
    this.log = o.logger.child({ topic: o.topic, partition: o.partition });
    this.output = new TransactionalOutput({
      kafka: o.kafka,
      transactionalId: `${o.config.kafka.transactionalIdPrefix}.${o.topic}.${o.partition}`,
      consumerGroupId: o.config.kafka.groupId,
      maxBatchBytes: o.config.kafka.maxMessageBytes,
      retryMaxBackoffMs: o.config.pipeline.retryMaxBackoffMs,
      metrics: o.metrics,
    });
  }

  /** The group assigned this partition to us again (a new generation): open it afresh on its next batch. */
  reassigned(): void {
    this.clearRecheck();
    this.abort.abort(new Error('the consumer group rebalanced'));
    this.abort = new AbortController();
    this.state = 'opening';
    this.outputReady = false;
    this.progressAt = Date.now();
  }

  /** The partition is no longer ours (revoked, or the runtime stops). */
  async close(): Promise<void> {
    this.clearRecheck();
    this.abort.abort(new Error('the partition was closed'));
    const labels = { topic: this.topic, partition: String(this.partition) };
    this.o.metrics.partitionStalled.remove(labels);
    this.o.metrics.partitionRefused.remove(labels);
    await this.output.close();
  }

  /** Asks a handler still at work to give up (a shutdown that ran out of time); nothing more is committed. */
  abandon(reason: string): void {
    this.abort.abort(new Error(reason));
  }

  status(now = Date.now()): PartitionStatus {
    return {
      topic: this.topic,
      partition: this.partition,
      state: this.state,
      committedOffset: this.floor === null ? null : this.floor.toString(),
      stalled: this.isStalled(now),
      lastProgressMs: this.progressAt,
      failingSinceMs: this.failingSince,
      lastError: this.lastError,
      refusal: this.refusal,
    };
  }

  /** Sets flowguard_partition_stalled from the current state (called on a timer by the runtime). */
  publishGauges(now = Date.now()): void {
    const labels = { topic: this.topic, partition: String(this.partition) };
    this.o.metrics.partitionStalled.set(labels, this.isStalled(now) ? 1 : 0);
    this.o.metrics.partitionRefused.set(labels, this.refusal === null ? 0 : 1);
  }

  async runBatch(payload: BatchPayload): Promise<void> {
    const { batch } = payload;
    if (this.busySince === null) {
      this.busySince = Date.now();
      this.progressAt = Math.max(this.progressAt, this.busySince);
    }
    try {
      if (!(await this.ensureOpen(payload))) return;
      const floor = this.deliverFrom;
      const fresh = floor === null ? batch.messages : batch.messages.filter((m) => BigInt(m.offset) >= floor);
      if (fresh.length < batch.messages.length) {
        // A previous owner committed these after kafkajs chose where to fetch from.
        this.log.info(
          { skipped: batch.messages.length - fresh.length, floor: String(floor) },
          'skipping committed records',
        );
        if (!fresh.length) {
          payload.resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
          return;
        }
      }
      const { chunkSize } = this.o.config.pipeline;
      for (let start = 0; start < fresh.length; start += chunkSize) {
        if (this.mustStop(payload)) return;
        const records = fresh.slice(start, start + chunkSize).map((m) => this.sourceRecord(m));
        if (!(await this.runChunk(records, payload, 0, false))) return;
        payload.resolveOffset(records[records.length - 1]!.offset);
        await payload.heartbeat();
      }
    } finally {
      this.busySince = null;
    }
  }

  /** Fences, reads the floor and asks the gate; false when the partition must not be processed now. */
  private async ensureOpen(payload: BatchPayload): Promise<boolean> {
    if (this.state === 'open') return true;
    // Refused or fenced: paused until the re-check (a batch fetched just before the pause lands here).
    if (this.state !== 'opening') return false;
    for (let step = 0; ; step++) {
      if (this.mustStop(payload)) return false;
      try {
        await this.output.open();
        const committed = await this.readCommitted();
        const marks = await this.readWatermarks();
        const decision = await this.o.gate.open({
          topic: this.topic,
          partition: this.partition,
          committedOffset: committed.offset,
          committedMetadata: committed.metadata,
          highWatermark: marks.high,
          lowWatermark: marks.low,
        });
        if (!decision.ok) {
          this.refuse(decision.reason);
          return false;
        }
        this.floor = committed.offset;
        this.deliverFrom = committed.offset;
        this.streamKey = decision.streamKey;
        this.offsetMetadata = decision.offsetMetadata;
        this.outputReady = true;
        this.state = 'open';
        if (this.refusal !== null) this.log.info('the gate accepts the partition now');
        this.refusal = null;
        this.publishGauges();
        this.log.debug({ floor: String(committed.offset), streamKey: this.streamKey }, 'partition opened');
        const replayFrom = decision.replayFrom ?? null;
        if (replayFrom !== null && committed.offset !== null && replayFrom < committed.offset) {
          // The state lost records the group committed: fetch them again; this batch is past them.
          this.deliverFrom = replayFrom;
          this.o.seek(replayFrom);
          this.log.warn(
            { from: String(replayFrom), committed: String(committed.offset) },
            'replaying records the state lost',
          );
          return false;
        }
        return true;
      } catch (error) {
        const failure = classifyFailure(error);
        if (failure.kind === 'fenced') return this.fence(failure);
        this.noteFailure(failure, 'opening the partition');
        this.o.metrics.batchRetries.inc({ reason: failure.reason });
        if (!(await this.backoff(payload, step))) return false;
      }
    }
  }

  /**
   * Processes records until they are committed (true), or gives up on them for now (false: stopping,
   * fenced, stale). `prior` counts earlier tries that held these records; `split` marks a bisected half.
   */
  private async runChunk(
    chunk: SourceRecord[],
    payload: BatchPayload,
    prior: number,
    split: boolean,
  ): Promise<boolean> {
    let records = chunk;
    let handled = 0;
    let poisoned = 0;
    let pending: ChunkOutcome | null = null;
    let publishing = false;
    let triedAt = 0;
    for (let step = 0; ; step++) {
      if (this.mustStop(payload)) return false;
      triedAt = Date.now();
      try {
        if (!this.outputReady) {
          await this.reopenOutput();
          // The failed transaction may have committed after all: the floor says.
          records = this.above(records);
          if (!records.length) {
            if (pending) await this.settle(pending);
            return true;
          }
        }
        handled += 1;
        publishing = false;
        const outcome = await this.o.handler(
          {
            topic: this.topic,
            partition: this.partition,
            streamKey: this.streamKey,
            committedOffset: this.floor,
            attempt: prior + handled,
            signal: this.abort.signal,
          },
          records,
        );
        if (this.abort.signal.aborted || payload.isStale()) return false;
        pending = outcome;
        publishing = true;
        await this.publish(outcome.records, records[records.length - 1]!);
        await this.settle(outcome);
        if (step > 0) {
          // After an outage: when the work went through, and how long its last try took.
          this.log.info(
            { tries: step + 1, lastTryMs: Date.now() - triedAt },
            `offsets ${records[0]!.offset}..${records[records.length - 1]!.offset} went through after failed tries`,
          );
        }
        return true;
      } catch (error) {
        if (this.abort.signal.aborted) return false;
        const failure = classifyFailure(error, publishing ? 'publishing its outputs: ' : '');
        if (failure.kind === 'fenced') return this.fence(failure);
        if (failure.kind === 'reopen') return this.reopen(failure, records[0]!);
        this.noteFailure(
          failure,
          `processing offsets ${records[0]!.offset}..${records[records.length - 1]!.offset}`,
        );
        if (failure.kind === 'transient') {
          this.o.metrics.batchRetries.inc({ reason: failure.reason });
          if (!(await this.backoff(payload, step))) return false;
          continue;
        }
        poisoned += 1;
        const allowed = split && records.length > 1 ? 1 : this.o.config.pipeline.maxAttempts;
        if (poisoned < allowed) {
          this.o.metrics.batchRetries.inc({ reason: 'poison' });
          if (!(await this.backoff(payload, step))) return false;
          continue;
        }
        const tries = prior + handled;
        if (records.length > 1) {
          const half = Math.ceil(records.length / 2);
          this.log.info({ records: records.length, reason: failure.message }, 'bisecting a failing chunk');
          if (!(await this.runChunk(records.slice(0, half), payload, tries, true))) return false;
          return this.runChunk(records.slice(half), payload, tries, true);
        }
        return this.deadLetter(records[0]!, failure, tries, payload);
      }
    }
  }

  /** Sets one record aside in a transaction with its offset; without its bytes if the broker refuses them. */
  private async deadLetter(
    record: SourceRecord,
    failure: Failure,
    attempts: number,
    payload: BatchPayload,
  ): Promise<boolean> {
    let includeOriginal = true;
    for (let step = 0; ; step++) {
      if (this.mustStop(payload)) return false;
      const letter = deadLetterRecord({
        topic: this.o.config.kafka.deadLetterTopic,
        source: record,
        code: failure.code,
        reason: failure.message,
        attempts,
        nowMs: Date.now(),
        maxBytes: this.o.config.kafka.maxMessageBytes,
        includeOriginal,
      });
      try {
        if (!this.outputReady) {
          await this.reopenOutput();
          if (!this.above([record]).length) return true;
        }
        await this.publish([letter], record);
        this.o.metrics.deadLettered.inc({ code: failure.code });
        this.log.warn(
          { offset: record.offset, code: failure.code, attempts, reason: failure.message },
          'record dead-lettered',
        );
        return true;
      } catch (error) {
        const refusal = classifyFailure(error);
        if (refusal.kind === 'fenced') return this.fence(refusal);
        if (refusal.kind === 'poison' && includeOriginal) {
          includeOriginal = false;
          continue;
        }
        // The dead-letter topic refuses even a small record: an operator must look; readiness says so.
        this.noteFailure(
          refusal,
          `dead-lettering offset ${record.offset} to ${this.o.config.kafka.deadLetterTopic}`,
        );
        this.o.metrics.batchRetries.inc({
          reason: refusal.kind === 'poison' ? 'dead-letter-refused' : refusal.reason,
        });
        if (!(await this.backoff(payload, step))) return false;
      }
    }
  }

  private async publish(outputs: OutputRecord[], last: SourceRecord): Promise<void> {
    const processedTo = BigInt(last.offset) + 1n;
    // While replaying records the state lost, the committed offset never moves back: a crash during
    // the replay must find them still committed (already published) and replay them again.
    const nextOffset = this.floor !== null && this.floor > processedTo ? this.floor : processedTo;
    try {
      await this.output.publish(outputs, {
        topic: this.topic,
        partition: this.partition,
        nextOffset,
        metadata: this.offsetMetadata,
      });
    } catch (error) {
      this.outputReady = false;
      throw error;
    }
    this.floor = nextOffset;
    if (this.deliverFrom === null || this.deliverFrom < processedTo) this.deliverFrom = processedTo;
    this.progressAt = Date.now();
    this.failingSince = null;
    this.lastError = null;
  }

  private async settle(outcome: ChunkOutcome): Promise<void> {
    if (!outcome.afterCommit) return;
    try {
      await outcome.afterCommit();
    } catch (error) {
      this.log.warn({ err: error }, 'after-commit step failed; the next load of the state settles it');
    }
  }

  /** After a failed transaction: a fresh producer settles it (commit or abort), then the floor is re-read. */
  private async reopenOutput(): Promise<void> {
    await this.output.open();
    const before = this.floor;
    this.floor = (await this.readCommitted()).offset;
    // Only a committed offset that moved tells that the failed transaction committed after all (while
    // replaying, every transaction commits the same offset, and re-applying is idempotent).
    const moved = this.floor !== null && (before === null || this.floor > before);
    if (moved && (this.deliverFrom === null || this.deliverFrom < this.floor!)) this.deliverFrom = this.floor;
    this.outputReady = true;
  }

  private above(records: SourceRecord[]): SourceRecord[] {
    const floor = this.deliverFrom;
    return floor === null ? records : records.filter((r) => BigInt(r.offset) >= floor);
  }

  private async readCommitted(): Promise<{ offset: bigint | null; metadata: string | null }> {
    const [topic] = await this.o.admin.fetchOffsets({
      groupId: this.o.config.kafka.groupId,
      topics: [this.topic],
    });
    const entry = topic?.partitions.find((p) => p.partition === this.partition);
    if (!entry || BigInt(entry.offset) < 0n) return { offset: null, metadata: null };
    return { offset: BigInt(entry.offset), metadata: entry.metadata };
  }

  private async readWatermarks(): Promise<{ high: bigint; low: bigint }> {
    const offsets = await this.o.admin.fetchTopicOffsets(this.topic);
    const entry = offsets.find((p) => p.partition === this.partition);
    if (!entry) throw new Error(`topic ${this.topic} has no partition ${this.partition}`);
    return { high: BigInt(entry.high), low: BigInt(entry.low) };
  }

  private refuse(reason: string): void {
    this.state = 'refused';
    this.refusal = reason;
    this.publishGauges();
    this.log.error({ reason }, 'partition not processed: the state check refused it');
    this.o.pause();
    this.scheduleRecheck();
  }

  /** Another producer took our transactional id: stop, commit nothing, look again after a while. */
  private fence(failure: Failure): false {
    this.state = 'fenced';
    this.outputReady = false;
    this.abort.abort(new Error('fenced by a newer producer'));
    this.o.metrics.kafkaTransactions.inc({ result: 'fenced' });
    this.log.warn({ reason: failure.message }, 'fenced by a newer owner of this partition; stopped');
    this.o.pause();
    // If the group still gives us the partition then, the fencer was a zombie, and reopening fences it.
    this.scheduleRecheck();
    return false;
  }

  /**
   * The state fell behind what this process wrote (Redis lost acknowledged writes): fetch again from
   * this chunk and open the partition afresh; the gate replays from what Redis still holds.
   */
  private reopen(failure: Failure, first: SourceRecord): false {
    this.state = 'opening';
    this.log.error({ reason: failure.message }, 'the state fell behind this partition; opening it again');
    this.o.metrics.batchRetries.inc({ reason: failure.reason });
    this.o.seek(BigInt(first.offset));
    return false;
  }

  private scheduleRecheck(): void {
    this.clearRecheck();
    this.recheck = setTimeout(() => {
      this.recheck = null;
      this.abort = new AbortController();
      this.state = 'opening';
      this.o.resume();
    }, this.o.recheckMs);
    this.recheck.unref();
  }

  private clearRecheck(): void {
    if (this.recheck) clearTimeout(this.recheck);
    this.recheck = null;
  }

  private noteFailure(failure: Failure, doing: string): void {
    this.failingSince ??= Date.now();
    this.lastError = `${doing}: ${failure.message}`;
    this.log.warn({ kind: failure.kind, reason: failure.reason, err: failure.message }, `${doing} failed`);
  }

  private isStalled(now: number): boolean {
    return this.busySince !== null && now - this.progressAt >= this.o.config.pipeline.stallAfterMs;
  }

  private mustStop(payload: BatchPayload): boolean {
    return this.abort.signal.aborted || payload.isStale() || !payload.isRunning() || this.o.isStopping();
  }

  /** Exponential backoff capped at RETRY_MAX_BACKOFF, heartbeating; false when the work must stop. */
  private async backoff(payload: BatchPayload, step: number): Promise<boolean> {
    const delay = Math.min(
      this.o.config.pipeline.retryMaxBackoffMs,
      FIRST_BACKOFF_MS * 2 ** Math.min(step, 20),
    );
    const until = Date.now() + delay;
    for (;;) {
      if (this.mustStop(payload)) return false;
      const left = until - Date.now();
      if (left <= 0) return true;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, WAIT_SLICE_MS)));
      try {
        await payload.heartbeat();
      } catch (error) {
        // The group is rebalancing: kafkajs must rejoin, and the partition may go to another member.
        if (REBALANCE_TYPES.has(String((error as { type?: unknown }).type))) throw error;
        this.log.debug({ err: errorMessage(error) }, 'heartbeat failed while waiting to retry');
      }
    }
  }

  private sourceRecord(m: KafkaMessage): SourceRecord {
    return {
      topic: this.topic,
      partition: this.partition,
      offset: m.offset,
      timestampMs: Number(m.timestamp),
      key: m.key,
      value: m.value,
    };
  }
}
