// RFC 9457 problem details: the body of every error the REST API answers (application/problem+json).
import { z } from 'zod';

export const PROBLEM_TYPE_BASE = 'https://flowguard.dev/problems/';

export const ProblemSchema = z.object({
  /** https://flowguard.dev/problems/<code>, stable per error code. */
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  /** Why this request failed (4xx); a bare message for 5xx. */
  detail: z.string(),
  /** The request id (also in the logs). */
  instance: z.string(),
  /** The FG_* code the type names. */
  code: z.string(),
  /** Each contract violation of a 400, with where it is. */
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;
