// What an input message may be: size, JSON depth, amount, and how far its times are believed.
import { z } from 'zod';
import { duration, positiveInt } from './env-values.js';

export const ingestEnv = {
  /** Larger messages are dead-lettered unread (FG_EVENT_TOO_LARGE). */
  MAX_EVENT_BYTES: positiveInt.max(1_000_000).default(16_384),
  /** Deeper JSON is dead-lettered unparsed (FG_EVENT_TOO_DEEP). */
  MAX_JSON_DEPTH: positiveInt.max(64).default(8),
  /** The largest amount believed, in base-currency major units (FG_AMOUNT_OUT_OF_RANGE above it). */
  MAX_AMOUNT: z.coerce.number().positive().default(100_000_000),
  /** occurredAt may be ahead of the Kafka record's timestamp by this much (FG_EVENT_TIME_SKEW beyond). */
  EVENT_TIME_SKEW: duration.prefault('5m'),
  /** A wallet opening time before this is not believed (nor one after the event); an event before it is refused. */
  WALLET_CREATED_FLOOR: z.iso.datetime({ offset: true }).default('2000-01-01T00:00:00Z'),
};

type IngestEnv = z.output<z.ZodObject<typeof ingestEnv>>;

export interface IngestConfig {
  maxEventBytes: number;
  maxJsonDepth: number;
  /** Base-currency minor units. */
  maxAmountMinor: number;
  eventTimeSkewMs: number;
  walletCreatedFloorMs: number;
}

export function buildIngestConfig(e: IngestEnv, toMinor: (major: number) => number): IngestConfig {
  return {
    maxEventBytes: e.MAX_EVENT_BYTES,
    maxJsonDepth: e.MAX_JSON_DEPTH,
    maxAmountMinor: toMinor(e.MAX_AMOUNT),
    eventTimeSkewMs: e.EVENT_TIME_SKEW,
    walletCreatedFloorMs: Date.parse(e.WALLET_CREATED_FLOOR),
  };
}
