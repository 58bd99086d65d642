// What the /v1 routes share: their dependencies, the acting principal of a request, and ids.
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ApiDeps } from '../../api-deps.js';
import { auditPrincipal } from '../../auth/scopes.js';
import type { DecisionContext } from '../../decisions/flag-decisions.js';
import { ApiProblem } from '../../problems.js';

export type V1Deps = Pick<ApiDeps, 'config' | 'catalog' | 'riskOf' | 'logger'> & { now: () => number };

/** The principal and request a decision is recorded with (routes with a scope always have one). */
export function decisionContext(request: FastifyRequest, now: () => number): DecisionContext {
  if (!request.principal)
    throw new ApiProblem('FG_UNAUTHENTICATED', 'no principal on an authenticated route');
  return {
    principal: auditPrincipal(request.principal),
    requestId: request.id,
    nowMs: now(),
    newId: randomUUID,
  };
}

/** "2026-11-20T10:00:00Z" → ms; undefined stays undefined. */
export function msOf(iso: string | undefined): number | undefined {
  return iso === undefined ? undefined : Date.parse(iso);
}
