// The detector as a real process of its own, in its own process group (scripts/dev/detector-child.ts).
// For the fault tests: SIGKILL it mid-chunk, SIGTERM it, start it again on the same names.
import { killEveryDetector, startDetectorChild } from '../../scripts/dev/detector-child.js';

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

export function spawnDetector(env: Record<string, string>): DetectorProcess {
  // The standalone Redis the test reads, not the cluster the stack also names.
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!env.REDIS_CLUSTER_NODES) delete childEnv.REDIS_CLUSTER_NODES;
  const child = startDetectorChild({ env: childEnv });
  return {
    pid: child.pid,
    output: child.output,
    exited: child.exited,
    alive: child.alive,
    async signal(signal) {
      if (child.alive()) child.signalGroup(signal);
      return child.exited;
    },
    async running(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!/FlowGuard detector running/.test(child.output())) {
        if (!child.alive())
          throw new Error(`the detector exited while starting:\n${child.output().slice(-3000)}`);
        if (Date.now() > deadline)
          throw new Error(`the detector did not start:\n${child.output().slice(-3000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** Kills every detector process still alive (a failed test's leftovers), group and all. */
export const killAllDetectors = killEveryDetector;
