// zod pieces for environment values: durations, lists, flags, secrets read from files.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseDuration } from '../domain/time.js';

export const duration = z.string().transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

export const csv = z.string().transform((text) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

export const positiveInt = z.coerce.number().int().positive();

/** "true"/"false"/"1"/"0"/"yes"/"no". */
export const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name');

/** A file the process must be able to read (certificates, secrets, key files). */
export const readableFile = z.string().refine((path) => {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}, 'file cannot be read');

/** A secret given inline or, preferably, as a file (a mounted Kubernetes Secret); the file wins. */
export function secretOf(inline: string | undefined, file: string | undefined): string | undefined {
  if (file) return readFileSync(file, 'utf8').trim();
  return inline;
}
