// Finds the credential of a request (X-API-Key, or Authorization: Bearer with an API key or an OIDC
// token) and says who it belongs to. Never logs or returns the credential itself.
import type { IncomingHttpHeaders } from 'node:http';
import type { ApiKeyStore } from './api-key-store.js';
import type { OidcVerifier } from './oidc-verifier.js';
import type { AuthenticatedPrincipal } from './scopes.js';

export type AuthOutcome =
  | { kind: 'anonymous' }
  | { kind: 'authenticated'; principal: AuthenticatedPrincipal }
  /** A credential was presented and is not good: 401. */
  | { kind: 'rejected'; detail: string }
  /** The credential could not be checked (identity provider away): 503. */
  | { kind: 'unavailable'; detail: string };

export class Authenticator {
  constructor(
    private readonly keys: ApiKeyStore | null,
    private readonly oidc: OidcVerifier | null,
    private readonly now: () => number,
  ) {}

  /** True when no credential of any kind can be accepted (every /v1 route answers 401). */
  get closed(): boolean {
    return this.keys === null && this.oidc === null;
  }

  async authenticate(headers: IncomingHttpHeaders): Promise<AuthOutcome> {
    const apiKeyHeader = headers['x-api-key'];
    if (apiKeyHeader !== undefined) {
      if (typeof apiKeyHeader !== 'string')
        return { kind: 'rejected', detail: 'X-API-Key appears more than once' };
      return this.checkKey(apiKeyHeader.trim());
    }
    const authorization = headers.authorization;
    if (authorization === undefined) return { kind: 'anonymous' };
    const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(authorization);
    if (!match) return { kind: 'rejected', detail: 'Authorization must be "Bearer <API key or token>"' };
    const credential = match[1]!;
    if (credential.startsWith('fgk.')) return this.checkKey(credential);
    if (!this.oidc)
      return { kind: 'rejected', detail: 'bearer tokens are not accepted here (no OIDC configured)' };
    const check = await this.oidc.check(credential);
    if (check.ok) return { kind: 'authenticated', principal: check.principal };
    return check.unavailable
      ? { kind: 'unavailable', detail: check.detail }
      : { kind: 'rejected', detail: check.detail };
  }

  private checkKey(key: string): AuthOutcome {
    if (!this.keys) return { kind: 'rejected', detail: 'API keys are not accepted here (no API_KEYS_FILE)' };
    const check = this.keys.check(key, this.now());
    return check.ok
      ? { kind: 'authenticated', principal: check.principal }
      : { kind: 'rejected', detail: check.detail };
  }
}
