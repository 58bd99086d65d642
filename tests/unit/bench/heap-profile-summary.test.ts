import { describe, expect, it } from 'vitest';
import {
  summarizeAllocations,
  type SamplingHeapNode,
} from '../../../services/bench/src/heap-profile-summary.js';

const node = (
  functionName: string,
  selfSize: number,
  children: SamplingHeapNode[] = [],
  url = 'file:///app/services/detector/src/pipeline/decode-record.ts',
): SamplingHeapNode => ({ callFrame: { functionName, url, lineNumber: 0 }, selfSize, children });

describe('summarizeAllocations', () => {
  it('adds up self bytes by function wherever it was called from, and by area', () => {
    const ioredis = 'file:///app/node_modules/ioredis/built/Command.js';
    const head = node('(root)', 0, [
      node('runTransactionChunk', 100, [node('normalize', 300), node('toWritable', 50, [], ioredis)]),
      node('writeChunk', 0, [node('normalize', 200), node('toWritable', 350, [], ioredis)]),
    ]);
    const summary = summarizeAllocations(head, 10);
    expect(summary.totalBytes).toBe(1_000);
    expect(summary.byFunction.map((s) => [s.name, s.bytes])).toEqual([
      ['normalize services/detector/src/pipeline/decode-record.ts', 500],
      ['toWritable ioredis', 400],
      ['runTransactionChunk services/detector/src/pipeline/decode-record.ts', 100],
    ]);
    expect(summary.byArea).toEqual([
      { name: 'services/detector/src/pipeline/decode-record.ts', bytes: 600, share: 0.6 },
      { name: 'ioredis', bytes: 400, share: 0.4 },
    ]);
  });

  it('keeps the largest `top` only', () => {
    const head = node('(root)', 0, [node('a', 1), node('b', 3), node('c', 2)]);
    expect(summarizeAllocations(head, 2).byFunction.map((s) => s.name.split(' ')[0])).toEqual(['b', 'c']);
  });
});
