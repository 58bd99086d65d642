// OIDC bearer tokens: a JWT signed by the identity provider, checked against its JWKS (signature,
// issuer, audience, expiry) with jose; scopes come from the configured claim.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { OidcConfig } from '../../config/index.js';
import type { AuthenticatedPrincipal } from './scopes.js';

export type TokenCheck =
  { ok: true; principal: AuthenticatedPrincipal } | { ok: false; unavailable: boolean; detail: string };

export class OidcVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly config: OidcConfig) {
    this.jwks = createRemoteJWKSet(new URL(config.jwksUrl), {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
    });
  }

  async check(token: string): Promise<TokenCheck> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: Math.round(this.config.clockToleranceMs / 1000),
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      return this.failure(error);
    }
    const subject = payload[this.config.principalClaim];
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > 190)
      return { ok: false, unavailable: false, detail: `token has no ${this.config.principalClaim} claim` };
    return {
      ok: true,
      principal: {
        id: `oidc:${subject}`,
        kind: 'oidc',
        name: subject,
        scopes: scopesOf(payload[this.config.scopeClaim]),
      },
    };
  }

  private failure(error: unknown): TokenCheck {
    const invalid = (detail: string): TokenCheck => ({ ok: false, unavailable: false, detail });
    if (error instanceof errors.JWTExpired) return invalid('token expired');
    if (error instanceof errors.JWTClaimValidationFailed)
      return invalid(`token ${error.claim} claim is not accepted`);
    if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey)
      return invalid('token signature is not valid');
    // A plain JOSEError is jose's word for a JWKS answer it could not use (not 200, not JSON); a
    // network failure is no JOSEError at all. Either way the provider is away, not the token bad.
    if (
      error instanceof errors.JOSEError &&
      !(error instanceof errors.JWKSTimeout) &&
      error.code !== 'ERR_JOSE_GENERIC'
    )
      return invalid('token is not valid');
    return {
      ok: false,
      unavailable: true,
      detail: 'the identity provider cannot be reached to verify the token',
    };
  }
}

function scopesOf(claim: unknown): Set<string> {
  if (typeof claim === 'string') return new Set(claim.split(' ').filter(Boolean));
  if (Array.isArray(claim)) return new Set(claim.filter((item): item is string => typeof item === 'string'));
  return new Set();
}
