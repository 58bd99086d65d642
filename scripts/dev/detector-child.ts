// One detector as a child process (`node --import tsx services/detector/src/server.ts`) in a process
// group of its own, so a signal reaches whatever the wrappers started (tsx's esbuild service). The
// fault tests and the bench both start detectors this way; each adds what it needs on top.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './local-stack-env.js';

export interface DetectorChild {
  /** Pid of the node process, also the id of its process group. */
  pid: number;
  /** The newest part of its stdout and stderr (pino lines). */
  output(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  alive(): boolean;
  /** Sends the signal to the whole process group (nothing when it has gone). */
  signalGroup(signal: NodeJS.Signals): void;
}

export interface DetectorChildOptions {
  /** The child's whole environment. */
  env: NodeJS.ProcessEnv;
  /** Source tree to run (another revision's checkout); this one by default. */
  root?: string;
  nodeFlags?: string[];
  /** How much of the output to keep. */
  keptChars?: number;
}

/**
 * V8 flags every detector runs with (the Dockerfile and `npm start` give the same). A 32 MB young
 * generation instead of the default 16: the detector allocates ~20 KB per event, and each scavenge
 * also walks the pointers from the wallet cache's old states into new objects, so halving the number
 * of scavenges took 6-10% off the CPU per event (200,000 events, alternating runs; 64 MB gained no
 * more). It costs at most 32 MB more of resident memory. The old generation capped at 768 MB, under
 * the 1 GiB the k8s Deployment and compose give a detector: uncapped, V8 grows it lazily (~1.2 GB
 * resident catching up on 100,000 wallets), and the bench measures the detector production runs. A
 * cap alone also shrinks how far V8 lets the heap grow between full collections (V8 picks a smaller
 * growing factor for a smaller maximum heap): it cost ×1.28-1.41 of the CPU per event on the quick
 * bench. --heap-growing-percent=300 gives the factor back (×0.98 and ×1.14 of uncapped; 843 MB
 * resident at the peak catching up on 100,000 wallets).
 */
export const DETECTOR_NODE_FLAGS = [
  '--max-semi-space-size=32',
  '--max-old-space-size=768',
  '--heap-growing-percent=300',
];

const live = new Set<ChildProcess>();
// Whatever ends this process (an error, Ctrl-C, a test runner's exit) takes its detectors with it.
process.once('exit', killEveryDetector);

export function startDetectorChild(options: DetectorChildOptions): DetectorChild {
  const root = options.root ?? REPO_ROOT;
  const kept = options.keptChars ?? 200_000;
  const child = spawn(
    process.execPath,
    [
      ...DETECTOR_NODE_FLAGS,
      ...(options.nodeFlags ?? []),
      '--import',
      'tsx',
      join(root, 'services', 'detector', 'src', 'server.ts'),
    ],
    { cwd: root, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  live.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 2 * kept) output = output.slice(-kept);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  const pid = child.pid!;
  return {
    pid,
    output: () => output.slice(-kept),
    exited,
    alive: () => live.has(child),
    signalGroup: (signal) => signalGroup(pid, signal),
  };
}

/** SIGKILLs every detector still running, group and all (a failed test's or run's leftovers). */
export function killEveryDetector(): void {
  for (const child of live) signalGroup(child.pid!, 'SIGKILL');
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group has gone
  }
}
