// Small shared pieces of the indexes: a record's JSON value, and a pipeline that fails as a whole.
import type { KafkaMessage } from 'kafkajs';
import type { RedisClient } from '../../redis/redis-connection.js';

/** The record's value parsed as JSON; undefined when it is missing or not JSON (the schema says why). */
export function recordJson(message: KafkaMessage): unknown {
  const text = message.value?.toString('utf8');
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export type RedisPipeline = ReturnType<RedisClient['pipeline']>;

/** Runs a pipeline; the first command error fails the whole (the batch is retried, writes are idempotent). */
export async function execOrThrow(pipeline: RedisPipeline): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
