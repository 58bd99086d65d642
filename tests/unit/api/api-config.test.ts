// The API's configuration: defaults, and a bad value stops start-up naming the variable.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../services/detector/src/config/index.js';

const base = { REDIS_URL: 'redis://127.0.0.1:6379' };

function failure(env: Record<string, string>): string {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

describe('API configuration', () => {
  it('has safe defaults: no CORS, 1 MiB bodies, a lower write budget, no credentials', () => {
    const { api } = loadConfig(base);
    expect(api).toMatchObject({
      keysFile: undefined,
      oidc: null,
      corsOrigins: null,
      bodyLimit: 1_048_576,
      rateLimit: { max: 600, writeMax: 60, windowMs: 60_000 },
      transactionsBatchMax: 500,
    });
  });

  it('reads OIDC when issuer, audience and JWKS are all given', () => {
    const { api } = loadConfig({
      ...base,
      OIDC_ISSUER: 'https://id.example.org/',
      OIDC_AUDIENCE: 'flowguard',
      OIDC_JWKS_URL: 'https://id.example.org/jwks',
      OIDC_SCOPE_CLAIM: 'scp',
    });
    expect(api.oidc).toMatchObject({
      issuer: 'https://id.example.org/',
      audience: 'flowguard',
      scopeClaim: 'scp',
      principalClaim: 'sub',
    });
  });

  it.each([
    [{ OIDC_ISSUER: 'https://id.example.org/' }, 'OIDC_AUDIENCE'],
    [{ RATE_LIMIT_MAX: '10', RATE_LIMIT_WRITE_MAX: '20' }, 'RATE_LIMIT_WRITE_MAX'],
    [{ RATE_LIMIT_MAX: 'lots' }, 'RATE_LIMIT_MAX'],
    [{ BODY_LIMIT: '-1' }, 'BODY_LIMIT'],
    [{ CORS_ORIGINS: '*' }, 'CORS_ORIGINS'],
    [{ FLAG_MAX_SILENCE: 'a month' }, 'FLAG_MAX_SILENCE'],
    [{ API_KEYS_FILE: '/nonexistent/keys.json' }, 'API_KEYS_FILE'],
    [{ OIDC_JWKS_URL: 'not a url' }, 'OIDC_JWKS_URL'],
  ])('refuses %o naming %s', (env, variable) => {
    const message = failure(env);
    expect(message).toContain('Invalid configuration');
    expect(message).toContain(variable);
  });
});
