// What FlowGuard knows about the streams it consumes, kept in Redis (fg:{stream}): the state epoch
// (to recognise a wiped or foreign Redis), each input partition's incarnation (to recognise a topic
// deleted and created again) and checkpoint (the newest offset whose effects reached Redis), and the
// event time from which FlowGuard has seen the stream. It is the partition gate of the consumer.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { RedisClient } from '../redis/redis-connection.js';
import { FlowGuardError } from '../errors.js';
import { redisFailure } from '../redis/pipelined.js';

const METADATA_PREFIX = 'fg-epoch:';

export type GateDecision =
  | { ok: true; streamKey: string; offsetMetadata: string; replayFrom: bigint | null }
  | { ok: false; reason: string };

export interface PartitionFacts {
  topic: string;
  partition: number;
  committedOffset: bigint | null;
  committedMetadata: string | null;
  highWatermark: bigint;
  lowWatermark: bigint;
}

export class StreamRegistry {
  readonly key: string;
  private startMs: number | null = null;
  /**
   * The last checkpoint this process wrote, by stream, since it opened the partition: Redis must not
   * hold less. The last, not the highest: a bisected chunk or a replay writes a lower one on purpose.
   */
  private readonly written = new Map<string, number>();

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly logger: Logger,
  ) {
    this.key = `${prefix}:{stream}`;
  }

  /**
   * May this partition be processed, and under which stream key? Refuses when Redis no longer holds
   * the state the committed offsets were committed against; asks for a replay when Redis lost only
   * its last writes (the AOF's last second) and the records are still in Kafka.
   */
  async open(p: PartitionFacts): Promise<GateDecision> {
    const epochFromKafka = p.committedMetadata?.startsWith(METADATA_PREFIX)
      ? p.committedMetadata.slice(METADATA_PREFIX.length)
      : null;
    try {
      let epoch = await this.redis.hget(this.key, 'epoch');
      if (epoch === null) {
        if (p.committedOffset !== null) {
          return {
            ok: false,
            reason:
              `Redis holds no FlowGuard state (no epoch in ${this.key}) but the consumer group has committed ` +
              `${p.topic}/${p.partition} up to offset ${p.committedOffset}: Redis was wiped or replaced. ` +
              'Rebuild the state with `flowguard backfill` (it replays the retained input), then restart.',
          };
        }
        await this.redis.hsetnx(this.key, 'epoch', randomBytes(8).toString('hex'));
        epoch = (await this.redis.hget(this.key, 'epoch'))!;
      } else if (epochFromKafka !== null && epochFromKafka !== epoch) {
        return {
          ok: false,
          reason:
            `The offsets committed for ${p.topic}/${p.partition} belong to state epoch ${epochFromKafka}, but Redis ` +
            `holds epoch ${epoch}: this is not the Redis those offsets were committed against. ` +
            'Point FlowGuard at its own Redis, or rebuild with `flowguard backfill`.',
        };
      }

      const partitionId = `${p.topic}/${p.partition}`;
      let incarnation = await this.redis.hget(this.key, `inc:${partitionId}`);
      if (incarnation === null) {
        await this.redis.hsetnx(this.key, `inc:${partitionId}`, randomBytes(4).toString('hex'));
        incarnation = (await this.redis.hget(this.key, `inc:${partitionId}`))!;
      }
      let streamKey = `${incarnation}/${p.partition}`;
      const checkpoint = await this.checkpointOf(streamKey);
      if (checkpoint !== null && p.highWatermark <= BigInt(checkpoint)) {
        // The broker ends at or before what we applied: the topic was deleted and created again.
        const fresh = randomBytes(4).toString('hex');
        await this.redis.hset(this.key, `inc:${partitionId}`, fresh);
        this.logger.warn(
          { partition: partitionId, checkpoint, highWatermark: String(p.highWatermark), incarnation: fresh },
          'input partition ends before what FlowGuard applied: the topic was recreated; starting a new incarnation',
        );
        streamKey = `${fresh}/${p.partition}`;
        return { ok: true, streamKey, offsetMetadata: METADATA_PREFIX + epoch, replayFrom: null };
      }
      let replayFrom: bigint | null = null;
      if (p.committedOffset !== null && p.committedOffset > 0n) {
        const applied = checkpoint === null ? -1n : BigInt(checkpoint);
        if (applied < p.committedOffset - 1n) {
          if (applied + 1n < p.lowWatermark) {
            return {
              ok: false,
              reason:
                `Redis lost the effects of ${partitionId} offsets ${applied + 1n}..${p.committedOffset - 1n} and Kafka ` +
                `no longer holds them all (log starts at ${p.lowWatermark}). Rebuild with \`flowguard backfill\`.`,
            };
          }
          // Redis lost its last writes (AOF fsyncs once a second): re-apply them from Kafka without
          // publishing again what the committed transactions already published.
          replayFrom = applied + 1n;
          this.logger.warn(
            { partition: partitionId, from: String(replayFrom), committed: String(p.committedOffset) },
            'Redis is behind the committed offsets; re-applying the missing records from Kafka',
          );
        }
      }
      // Whatever this process wrote before, the checkpoint is what this opening compared: start afresh
      // (another instance may have owned the partition meanwhile, with other chunk boundaries).
      this.written.delete(streamKey);
      return { ok: true, streamKey, offsetMetadata: METADATA_PREFIX + epoch, replayFrom };
    } catch (error) {
      throw redisFailure(error);
    }
  }

  /** The command that records what a chunk applied (sent after its wallet writes succeeded). */
  async checkpoint(streamKey: string, lastOffset: number): Promise<void> {
    try {
      await this.redis.hset(this.key, `cp:${streamKey}`, lastOffset);
    } catch (error) {
      throw redisFailure(error);
    }
    this.written.set(streamKey, lastOffset);
  }

  /**
   * Refuses to go on with a stream whose checkpoint in Redis is older than the last this process wrote
   * since it opened the partition: Redis lost acknowledged writes under the running worker. The gate
   * checks only when a partition opens; this makes the worker open it again (FG_STATE_LOST), and the
   * gate replays what was lost. Asked just before a chunk writes: a loss while the chunk computed is
   * caught before its write hides it (a window of the write's own length remains).
   */
  async assertKept(streamKey: string): Promise<void> {
    const wrote = this.written.get(streamKey);
    if (wrote === undefined) return;
    const held = await this.checkpointOf(streamKey);
    if (held !== null && held >= wrote) return;
    this.written.delete(streamKey);
    throw new FlowGuardError(
      'FG_STATE_LOST',
      `Redis holds the effects of stream ${streamKey} up to offset ${held ?? 'none'}, but this process ` +
        `wrote them up to ${wrote}: Redis lost acknowledged writes (a failover to a lagging replica, or a ` +
        'restart without its last second). Opening the partition again to replay them from Kafka.',
    );
  }

  /** The newest offset of this stream whose chunk was written in full, or null before the first. */
  async checkpointOf(streamKey: string): Promise<number | null> {
    try {
      const checkpoint = await this.redis.hget(this.key, `cp:${streamKey}`);
      return checkpoint === null ? null : Number(checkpoint);
    } catch (error) {
      throw redisFailure(error);
    }
  }

  /**
   * Event time from which FlowGuard has seen the stream. Set once, from the first chunk's events: a
   * low percentile of their times, so one event claiming an early time cannot move it. The times are
   * asked for only while the start is unknown: every later chunk skips collecting them.
   */
  async streamStart(firstChunkEventTimes: () => number[]): Promise<number> {
    if (this.startMs !== null) return this.startMs;
    try {
      let stored = await this.redis.hget(this.key, 'start');
      const times = stored === null ? firstChunkEventTimes() : [];
      if (stored === null && times.length) {
        const sorted = times.sort((a, b) => a - b);
        const estimate = sorted[Math.floor((sorted.length - 1) * 0.05)]!;
        await this.redis.hsetnx(this.key, 'start', estimate);
        stored = await this.redis.hget(this.key, 'start');
      }
      if (stored === null) return Number.POSITIVE_INFINITY;
      this.startMs = Number(stored);
      return this.startMs;
    } catch (error) {
      throw redisFailure(error);
    }
  }
}
