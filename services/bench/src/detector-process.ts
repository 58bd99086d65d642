// A detector as its own process (`node --import tsx services/detector/src/server.ts`), as it is deployed:
// its own event loop and its own core, so the bench's producer and clock do not share them.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../scripts/dev/local-stack-env.js';

export interface DetectorProcess {
  pid: number;
  /** SIGTERM, then wait for a clean exit (the detector commits the batch in hand first). */
  stop(): Promise<void>;
}

const SERVER = join(REPO_ROOT, 'services', 'detector', 'src', 'server.ts');

/** Children still running; killed if the bench exits without stopping them (an error, Ctrl-C). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function spawnDetector(env: Record<string, string>, nodeFlags: string[] = []): DetectorProcess {
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', SERVER], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  let stopping = false;
  void exited.then((code) => {
    if (!stopping) console.error(`detector process ${child.pid} exited early (${code}):\n${output}`);
  });
  return {
    pid: child.pid!,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0 && code !== null)
        console.error(`detector process ${child.pid} exited ${code}:\n${output}`);
    },
  };
}
