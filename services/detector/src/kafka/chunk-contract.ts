// What the Kafka side of the batch promises the pipeline, and what it asks of it: records in, outputs
// out, one Kafka transaction per chunk; the pipeline decides whether a partition may be processed at all.

/** One input record, as the handler sees it. */
export interface SourceRecord {
  topic: string;
  partition: number;
  /** Kafka offset, decimal. */
  offset: string;
  timestampMs: number;
  key: Buffer | null;
  value: Buffer | null;
}

/** One record to publish in the chunk's transaction. */
export interface OutputRecord {
  topic: string;
  key: string;
  value: string | Buffer;
  /** The input record it came from, for logs; the runtime does not need it to be exact. */
  sourceOffset?: string;
}

export interface ChunkContext {
  topic: string;
  partition: number;
  /** What the gate named this input stream (e.g. "<incarnation>/<partition>"). */
  streamKey: string;
  /** The partition's committed offset when the chunk started: every record below it is published. */
  committedOffset: bigint | null;
  /** 1 on the first try of these records, counting the tries of larger chunks that held them. */
  attempt: number;
  /** Aborted when the partition is lost (fenced, rebalanced) or a shutdown ran out of time. */
  signal: AbortSignal;
}

export interface ChunkOutcome {
  records: OutputRecord[];
  /** Runs once the transaction committed (settling state); a failure is logged, never fatal. */
  afterCommit?: () => Promise<void>;
}

/**
 * Processes one chunk of one partition, in offset order. Throw a FlowGuardError with retryable=true
 * (or let a broker/network error through) for "try again later"; anything else counts as poison.
 */
export type ChunkHandler = (ctx: ChunkContext, records: SourceRecord[]) => Promise<ChunkOutcome>;

export interface PartitionOpening {
  topic: string;
  partition: number;
  committedOffset: bigint | null;
  committedMetadata: string | null;
  highWatermark: bigint;
  lowWatermark: bigint;
}

export type GateDecision =
  { ok: true; streamKey: string; offsetMetadata: string } | { ok: false; reason: string };

/** Implemented by the pipeline: decides whether a partition may be processed (state epoch, checkpoints, topic incarnation). */
export interface PartitionGate {
  open(p: PartitionOpening): Promise<GateDecision>;
}

export type PartitionState = 'opening' | 'open' | 'refused' | 'fenced';

export interface PartitionStatus {
  topic: string;
  partition: number;
  state: PartitionState;
  /** The next offset to process (the committed offset), once known. */
  committedOffset: string | null;
  /** True while it has work in hand and has not advanced for STALL_AFTER. */
  stalled: boolean;
  /** When it last committed, or started work after being idle (ms since epoch). */
  lastProgressMs: number;
  /** Since when its current work keeps failing (ms since epoch), null while healthy. */
  failingSinceMs: number | null;
  lastError: string | null;
  /** Why the gate refused it, until the gate accepts it. */
  refusal: string | null;
}

export interface Readiness {
  ready: boolean;
  /** What is wrong, in words an operator can act on; empty when ready. */
  reasons: string[];
}
