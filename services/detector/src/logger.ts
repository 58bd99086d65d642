// The process logger (pino: structured JSON, cheap on the hot path).
import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'flowguard-detector' } });
}
