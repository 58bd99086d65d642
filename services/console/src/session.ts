// Signing in: the analyst's API key or bearer token is kept for this tab only (sessionStorage) and
// checked against the server, which says whose it is and what it may do.
import { ApiClient, ApiError } from './api-client.js';

export const SCOPES = {
  riskRead: 'risk:read',
  alertsRead: 'alerts:read',
  flagsWrite: 'flags:write',
  flagsApprove: 'flags:approve',
  watchlistWrite: 'watchlist:write',
} as const;

export interface SessionPrincipal {
  id: string;
  name: string;
  kind: string;
  scopes: string[];
}

export interface Session {
  client: ApiClient;
  principal: SessionPrincipal;
  can(scope: string): boolean;
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
  const principal = await client.get<SessionPrincipal>('console/session');
  signedIn = true;
  sessionStorage.setItem(CREDENTIAL_KEY, credential);
  const scopes = new Set(principal.scopes);
  return { client, principal, can: (scope) => scopes.has(scope) };
}

export function isRefusal(error: unknown): error is ApiError {
  return error instanceof ApiError && (error.status === 401 || error.status === 403);
}
