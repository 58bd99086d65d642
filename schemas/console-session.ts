// GET /console/session: who the credential the analyst console holds belongs to, and what it may do.
import { z } from 'zod';

export const ConsoleSessionSchema = z.object({
  /** What the audit trail records as the actor ("key:<id>", "oidc:<subject>"). */
  id: z.string(),
  /** A readable name (the key's name, the token's subject). */
  name: z.string(),
  kind: z.enum(['api-key', 'oidc']),
  /** The credential's scopes, as the API names them (services/detector/src/api/auth/scopes.ts). */
  scopes: z.array(z.string()),
});
export type ConsoleSession = z.infer<typeof ConsoleSessionSchema>;
