// What the API adds to Fastify's request and route config types.
import type { AuthenticatedPrincipal, Scope } from './auth/scopes.js';
import type { AuthOutcome } from './auth/authenticator.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling (null: nobody authenticated, or a route that needs no credential). */
    principal: AuthenticatedPrincipal | null;
    authOutcome: AuthOutcome | null;
  }
  interface FastifyContextConfig {
    /** The scope a /v1 route needs; a route without one is open (probes, metrics, the document). */
    scope?: Scope;
    /** Problem statuses the route answers besides the ones every /v1 route can (for the document). */
    problems?: number[];
  }
}
