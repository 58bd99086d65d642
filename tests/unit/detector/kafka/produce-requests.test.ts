// Outputs are sent in produce requests that each stay under the broker's record-batch limit.
import { describe, expect, it } from 'vitest';
import { produceRequests } from '../../../../services/detector/src/kafka/transactional-output.js';

const record = (topic: string, bytes: number, n: number) => ({
  topic,
  key: `k${n}`,
  value: 'x'.repeat(bytes),
});

describe('produceRequests', () => {
  it('keeps small outputs in one request, grouped by topic, in order', () => {
    const requests = produceRequests([record('a', 10, 1), record('b', 10, 2), record('a', 10, 3)], 1_048_576);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.map((t) => [t.topic, t.messages.map((m) => m.key)])).toEqual([
      ['a', ['k1', 'k3']],
      ['b', ['k2']],
    ]);
  });

  it('splits outputs that together exceed the limit, and sends an oversized one alone', () => {
    const records = [
      ...Array.from({ length: 30 }, (_, i) => record('dlq', 90_000, i)),
      record('dlq', 2_000_000, 99),
    ];
    const requests = produceRequests(records, 1_048_576);
    const sizes = requests.map((r) =>
      r.flatMap((t) => t.messages).reduce((s, m) => s + String(m.value).length, 0),
    );
    expect(sizes.slice(0, -1).every((s) => s < 1_048_576)).toBe(true);
    expect(requests.at(-1)![0]!.messages.map((m) => m.key)).toEqual(['k99']);
    expect(requests.flatMap((r) => r.flatMap((t) => t.messages.map((m) => m.key)))).toEqual(
      records.map((r) => r.key),
    );
  });
});
