// The process logger (pino: structured JSON, cheap on the hot path).
import { pino, type Logger } from 'pino';

/** JSON lines on stdout (the detector), or on stderr for a command whose stdout is its answer (the CLI). */
export function createLogger(level: string, stream: 'stdout' | 'stderr' = 'stdout'): Logger {
  const options = { level, base: { service: 'flowguard-detector' } };
  return stream === 'stderr' ? pino(options, pino.destination(2)) : pino(options);
}
