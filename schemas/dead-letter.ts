// Dead-letter topic record: why an input message was rejected, with a bounded copy of its bytes.
import { z } from 'zod';

export const DeadLetterSchema = z.object({
  code: z.string(),
  reason: z.string(),
  source: z.object({ topic: z.string(), partition: z.number(), offset: z.string() }),
  rejectedAt: z.iso.datetime(),
  /**
   * The original value, base64, so bytes that are not UTF-8 survive intact: whole when it is small,
   * else its first bytes (originalTruncated). Size and SHA-256 always describe the whole original.
   */
  originalValueBase64: z.string().nullable(),
  originalTruncated: z.boolean(),
  originalSize: z.number().int().nonnegative(),
  originalSha256: z.string().nullable(),
  originalKey: z.string().nullable(),
  /** How many times the message was tried before it was set aside (1 for a contract failure). */
  attempts: z.number().int().positive(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;
