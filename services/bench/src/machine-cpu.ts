// CPU time read from /proc: of one process, of a process group (a detector and whatever it spawned),
// and of the whole machine, so a run can say how much of the box went to something else.
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface ProcStat {
  pgrp: number;
  cpuSeconds: number;
}

function procStat(pid: number): ProcStat | null {
  return statAt(`/proc/${pid}/stat`);
}

/** A process's /proc/<pid>/stat, or a thread's /proc/<pid>/task/<tid>/stat (the same layout). */
function statAt(statPath: string): ProcStat | null {
  let stat: string;
  try {
    stat = readFileSync(statPath, 'utf8');
  } catch {
    return null;
  }
  // Fields after "(comm)": state is field 3, pgrp 5, utime 14, stime 15 (1-based, see proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    pgrp: Number(fields[2]),
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND,
  };
}

/** CPU seconds (user + system) of one process; 0 once it has gone. */
export function processCpuSeconds(pid: number): number {
  return procStat(pid)?.cpuSeconds ?? 0;
}

/**
 * CPU seconds of a process's main thread, and of its other threads together (for Node: V8's collector
 * and compiler helpers, libuv's pool). A main-thread CPU profile sees only the first.
 */
export function threadCpuSeconds(pid: number): { main: number; others: number } {
  let main = 0;
  let others = 0;
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    // gone
  }
  for (const tid of tasks) {
    const seconds = statAt(`/proc/${pid}/task/${tid}/stat`)?.cpuSeconds ?? 0;
    if (Number(tid) === pid) main += seconds;
    else others += seconds;
  }
  return { main, others };
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** CPU seconds of every live process in the group `pgid` (a detector child is its group's leader). */
export function groupCpuSeconds(pgid: number): number {
  let total = 0;
  for (const pid of allPids()) {
    const stat = procStat(pid);
    if (stat?.pgrp === pgid) total += stat.cpuSeconds;
  }
  return total;
}

/** Busy CPU seconds of the whole machine, all cores (idle and iowait left out). */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / CLOCK_TICKS_PER_SECOND;
}

/** Pid from a pid file, or null. */
export function pidFromFile(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && procStat(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Processes (outside `exclude`) that used more than 5% of a core over the next `ms`. */
export async function busiestProcesses(
  ms: number,
  exclude: Set<number>,
): Promise<{ pid: number; command: string; cores: number }[]> {
  const before = new Map(allPids().map((pid) => [pid, procStat(pid)?.cpuSeconds ?? 0]));
  await new Promise((resolve) => setTimeout(resolve, ms));
  const rows: { pid: number; command: string; cores: number }[] = [];
  for (const pid of allPids()) {
    if (exclude.has(pid)) continue;
    const now = procStat(pid);
    if (!now) continue;
    const cores = (now.cpuSeconds - (before.get(pid) ?? now.cpuSeconds)) / (ms / 1000);
    if (cores < 0.05) continue;
    let command = '';
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim().slice(0, 80);
    } catch {
      command = '?';
    }
    rows.push({ pid, command, cores });
  }
  return rows.sort((a, b) => b.cores - a.cores);
}
