// Authentication and scopes for every route that names a scope: the credential is checked when the
// request arrives (so the rate limit can count per principal), and the scope before the body is read.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preParsingHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { Counter } from 'prom-client';
import type { Authenticator } from '../auth/authenticator.js';
import type { Scope } from '../auth/scopes.js';
import type { Metrics } from '../../metrics.js';
import { ApiProblem } from '../problems.js';
import '../fastify-types.js';

export interface AuthenticationOptions {
  authenticator: Authenticator;
  metrics: Metrics;
}

const REALM = 'Bearer realm="flowguard"';

const authentication: FastifyPluginAsync<AuthenticationOptions> = async (app, { authenticator, metrics }) => {
  const refused = authRefusals(metrics);
  app.decorateRequest('principal', null);
  app.decorateRequest('authOutcome', null);

  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.routeOptions.config.scope) return;
    const outcome = await authenticator.authenticate(request.headers);
    request.authOutcome = outcome;
    if (outcome.kind === 'authenticated') request.principal = outcome.principal;
  });

  app.addHook('onRoute', (route) => {
    const scope = route.config?.scope;
    if (!scope) return;
    const existing = route.preParsing ? [route.preParsing].flat() : [];
    route.preParsing = [authorize(scope, refused), ...existing];
  });
};

function authorize(scope: Scope, refused: Counter<'reason'>): preParsingHookHandler {
  return async (request: FastifyRequest, _reply: FastifyReply, payload) => {
    const outcome = request.authOutcome;
    if (!outcome || outcome.kind === 'anonymous') {
      refused.inc({ reason: 'no-credential' });
      throw new ApiProblem(
        'FG_UNAUTHENTICATED',
        'no credential: send Authorization: Bearer <API key or token>, or X-API-Key',
        {
          headers: { 'www-authenticate': REALM },
        },
      );
    }
    if (outcome.kind === 'rejected') {
      refused.inc({ reason: 'invalid-credential' });
      throw new ApiProblem('FG_UNAUTHENTICATED', outcome.detail, {
        headers: { 'www-authenticate': `${REALM}, error="invalid_token"` },
      });
    }
    if (outcome.kind === 'unavailable') {
      refused.inc({ reason: 'provider-unavailable' });
      throw new ApiProblem('FG_AUTH_UNAVAILABLE', outcome.detail, { headers: { 'retry-after': '5' } });
    }
    if (!outcome.principal.scopes.has(scope)) {
      refused.inc({ reason: 'missing-scope' });
      throw new ApiProblem(
        'FG_FORBIDDEN',
        `${outcome.principal.id} lacks the scope ${scope} this route needs`,
        {
          headers: { 'www-authenticate': `${REALM}, error="insufficient_scope", scope="${scope}"` },
        },
      );
    }
    return payload;
  };
}

function authRefusals(metrics: Metrics): Counter<'reason'> {
  const name = 'flowguard_api_auth_refused_total';
  return (
    (metrics.registry.getSingleMetric(name) as Counter<'reason'> | undefined) ??
    new Counter({
      name,
      help: 'API requests refused by authentication or authorization, by reason',
      labelNames: ['reason'],
      registers: [metrics.registry],
    })
  );
}

export default fp(authentication, { name: 'flowguard-authentication', fastify: '5.x' });
