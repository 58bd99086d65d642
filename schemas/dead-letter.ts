// Dead-letter topic record: why an input message was rejected, with its original bytes.
import { z } from 'zod';

export const DeadLetterSchema = z.object({
  code: z.string(),
  reason: z.string(),
  source: z.object({ topic: z.string(), partition: z.number(), offset: z.string() }),
  rejectedAt: z.iso.datetime(),
  /** The original message value, base64, so bytes that are not UTF-8 survive intact. */
  originalValueBase64: z.string().nullable(),
  originalKey: z.string().nullable(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;
