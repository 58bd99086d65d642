// Signing in: the analyst's API key or bearer token is kept for this tab only (sessionStorage) and
// checked against the server, which says whose it is and what it may do.
import type { ConsoleSession } from '../../../schemas/console-session.js';
import { ApiClient } from './api-client.js';

export const SCOPES = {
  riskRead: 'risk:read',
  alertsRead: 'alerts:read',
  flagsWrite: 'flags:write',
  flagsApprove: 'flags:approve',
  watchlistWrite: 'watchlist:write',
} as const;
export type ConsoleScope = (typeof SCOPES)[keyof typeof SCOPES];

export interface Session {
  client: ApiClient;
  principal: ConsoleSession;
  can(scope: ConsoleScope): boolean;
}

const CREDENTIAL_KEY = 'flowguard.console.credential';

export function storedCredential(): string | null {
  return sessionStorage.getItem(CREDENTIAL_KEY);
}

export function forgetCredential(): void {
  sessionStorage.removeItem(CREDENTIAL_KEY);
}

/**
 * Checks the credential (GET console/session answers who it belongs to and its scopes) and keeps it
 * for the tab. Throws ApiError with the server's reason when it is refused.
 */
export async function openSession(
  base: string,
  credential: string,
  onUnauthenticated: (reason: string) => void,
): Promise<Session> {
  let signedIn = false;
  // A 401 while signing in is answered on the sign-in form itself, not by signing out.
  const client = new ApiClient(base, credential, (reason) => {
    if (signedIn) onUnauthenticated(reason);
  });
  const principal = await client.get<ConsoleSession>('console/session');
  signedIn = true;
  sessionStorage.setItem(CREDENTIAL_KEY, credential);
  const scopes = new Set(principal.scopes);
  return { client, principal, can: (scope) => scopes.has(scope) };
}
