// KAFKA_FETCH_PARTITION_BYTES and KAFKA_FETCH_BYTES: how much one fetch brings, and so how large a
// chunk a consumer behind its partition gets.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../services/detector/src/config/index.js';

const base = { KAFKA_BROKERS: 'kafka-1:9094', REDIS_URL: 'redis://127.0.0.1:1' };

describe('fetch bounds', () => {
  it('default to 4 MiB a partition and 16 MiB a fetch, and chunks that hold such a batch', () => {
    const config = loadConfig(base);
    expect(config.kafka.fetch).toEqual({ partitionBytes: 4_194_304, totalBytes: 16_777_216 });
    // ~290 bytes an event: a whole fetched batch is one chunk.
    expect(config.pipeline.chunkSize * 290).toBeGreaterThan(config.kafka.fetch.partitionBytes);
  });

  it('take byte counts', () => {
    const config = loadConfig({
      ...base,
      KAFKA_FETCH_PARTITION_BYTES: '2097152',
      KAFKA_FETCH_BYTES: '8388608',
    });
    expect(config.kafka.fetch).toEqual({ partitionBytes: 2_097_152, totalBytes: 8_388_608 });
  });

  it('refuse a partition bound above the whole fetch, naming the variable', () => {
    expect(() =>
      loadConfig({ ...base, KAFKA_FETCH_PARTITION_BYTES: '8388608', KAFKA_FETCH_BYTES: '4194304' }),
    ).toThrow(/KAFKA_FETCH_PARTITION_BYTES.*must not exceed KAFKA_FETCH_BYTES/);
    expect(() => loadConfig({ ...base, KAFKA_FETCH_BYTES: '0' })).toThrow(/KAFKA_FETCH_BYTES/);
  });
});
