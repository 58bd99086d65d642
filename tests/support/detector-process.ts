// The detector as a real process of its own (`node --import tsx services/detector/src/server.ts`), in
// its own process group so a signal reaches whatever the wrappers started. For the fault tests:
// SIGKILL it mid-chunk, SIGTERM it, start it again on the same names.
import { spawn, type ChildProcess } from 'node:child_process';

export interface DetectorProcess {
  pid: number;
  /** The newest part of its stdout and stderr (pino lines). */
  output(): string;
  exited: Promise<number | null>;
  alive(): boolean;
  /** Sends the signal to the whole process group and resolves with the exit code (null when killed). */
  signal(signal: NodeJS.Signals): Promise<number | null>;
  /** Resolves once its log says it consumes (the group joined is not waited for). */
  running(timeoutMs?: number): Promise<void>;
}

const KEPT_OUTPUT_CHARS = 200_000;
const live = new Set<ChildProcess>();

export function spawnDetector(env: Record<string, string>): DetectorProcess {
  // The standalone Redis the test reads, not the cluster the stack also names.
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!env.REDIS_CLUSTER_NODES) delete childEnv.REDIS_CLUSTER_NODES;
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/detector/src/server.ts'], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  live.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 2 * KEPT_OUTPUT_CHARS) output = output.slice(-KEPT_OUTPUT_CHARS);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  const pid = child.pid!;
  return {
    pid,
    output: () => output,
    exited,
    alive: () => live.has(child),
    async signal(signal) {
      if (live.has(child)) {
        try {
          process.kill(-pid, signal);
        } catch {
          // Already gone.
        }
      }
      return exited;
    },
    async running(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!/FlowGuard detector running/.test(output)) {
        if (!live.has(child)) throw new Error(`the detector exited while starting:\n${output.slice(-3000)}`);
        if (Date.now() > deadline) throw new Error(`the detector did not start:\n${output.slice(-3000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** Kills every detector process still alive (a failed test's leftovers), group and all. */
export function killAllDetectors(): void {
  for (const child of live) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
