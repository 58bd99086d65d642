// Reads a V8 sampling heap profile (HeapProfiler.stopSampling) and says where the bytes were allocated:
// self bytes by function, and by area (as cpu-profile-summary.ts names them).
import { areaOf } from './cpu-profile-summary.js';

export interface SamplingHeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingHeapNode[];
}

export interface AllocationShare {
  name: string;
  bytes: number;
  share: number;
}

export interface AllocationSummary {
  totalBytes: number;
  byArea: AllocationShare[];
  byFunction: AllocationShare[];
}

/** The sampled bytes of the whole tree under `head`, by function and by area, largest first. */
export function summarizeAllocations(head: SamplingHeapNode, top = 25): AllocationSummary {
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let totalBytes = 0;
  const pending = [head];
  for (let node = pending.pop(); node; node = pending.pop()) {
    pending.push(...node.children);
    if (node.selfSize === 0) continue;
    const { functionName, url } = node.callFrame;
    const area = areaOf(url, functionName);
    const name = `${functionName || '(anonymous)'}${url ? ` ${area}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
    byArea.set(area, (byArea.get(area) ?? 0) + node.selfSize);
    totalBytes += node.selfSize;
  }
  const ranked = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, bytes]) => ({ name, bytes, share: totalBytes > 0 ? bytes / totalBytes : 0 }));
  return { totalBytes, byArea: ranked(byArea), byFunction: ranked(byFunction) };
}
