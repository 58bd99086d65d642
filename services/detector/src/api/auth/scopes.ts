// What a credential may do, and who it is: the principal every /v1 route sees after authentication.
import { z } from 'zod';
import type { Principal } from '../../../../../schemas/wallet-flag.js';

export const SCOPES = [
  'risk:read',
  'alerts:read',
  'flags:write',
  'flags:approve',
  'watchlist:write',
  'transactions:write',
] as const;
export type Scope = (typeof SCOPES)[number];
export const ScopeSchema = z.enum(SCOPES);

export interface AuthenticatedPrincipal {
  /** "key:<keyId>" or "oidc:<subject>": what the audit trail records as the actor. */
  id: string;
  kind: 'api-key' | 'oidc';
  /** A readable name (the key's name, the token's subject). */
  name: string;
  scopes: ReadonlySet<string>;
}

export function auditPrincipal(principal: AuthenticatedPrincipal): Principal {
  return { id: principal.id, kind: principal.kind };
}
