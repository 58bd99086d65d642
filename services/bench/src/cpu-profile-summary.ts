// Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: self time by function and by
// area (a package under node_modules, a detector source file, Node internals, GC, idle).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface TimeShare {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  busyMs: number;
  /** Left out: the time before the first sample in `from` (start-up: loading and compiling modules). */
  skippedMs: number;
  byArea: TimeShare[];
  byFunction: TimeShare[];
}

export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const source = /\/(services|schemas)\/(.+)$/.exec(url);
  if (source) return `${source[1]}/${source[2]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

/**
 * `from`: count only from the first sample taken inside a function of that name (for the detector,
 * its first decoded record), so that start-up does not pass for the pipeline's cost.
 */
export function summarizeProfile(file: string, top = 25, from?: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const first = from === undefined ? 0 : firstSampleIn(profile, from);
  // Self time per node from the sample stream (timeDeltas[i] is the time before sample i).
  const selfUs = new Map<number, number>();
  let skippedUs = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (i < first) skippedUs += us;
    else selfUs.set(id, (selfUs.get(id) ?? 0) + us);
  });
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    totalUs += us;
    if (functionName === '(idle)') idleUs += us;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const where = url ? `${areaOf(url, functionName)}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'} ${where}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const shares = (map: Map<string, number>) =>
    [...map]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / busyUs }));
  return {
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    skippedMs: skippedUs / 1000,
    byArea: shares(areas),
    byFunction: shares(functions),
  };
}

/** Index of the first sample whose stack holds a function named `name`. */
function firstSampleIn(profile: CpuProfile, name: string): number {
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const inside = new Set(profile.nodes.filter((n) => n.callFrame.functionName === name).map((n) => n.id));
  const holds = (id: number | undefined): boolean => {
    for (; id !== undefined; id = parentOf.get(id)) if (inside.has(id)) return true;
    return false;
  };
  const at = profile.samples.findIndex((id) => holds(id));
  // Counting from nowhere would report an idle process: the function was renamed, or never ran.
  if (at < 0) throw new Error(`no sample of the profile is inside ${name}`);
  return at;
}

/** The main thread's profile among those `node --cpu-prof` wrote (a loader worker writes its own). */
export function mainThreadProfile(files: string[]): string | undefined {
  // CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile; the main thread is thread 0.
  return files.find((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
}
