// Analyst flags with maker-checker: record or request a flag, approve or reject a request (another
// principal), revoke; the wallet's flags and the approval queue. Each action is an audit record,
// committed to the audit topic before the answer; the detector applies it from there.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditRecord } from '../../../../../../schemas/audit-record.js';
import { FlagListSchema, type WalletFlagView } from '../../../../../../schemas/pages.js';
import {
  FlagApprovalRequestSchema,
  FlagReasonRequestSchema,
  WalletFlagRequestSchema,
  WalletFlagSchema,
  WalletIdSchema,
  type WalletFlag,
} from '../../../../../../schemas/wallet-flag.js';
import {
  approveFlag,
  flagInForce,
  rejectFlag,
  requestFlag,
  revokeFlag,
  type FlagDecision,
} from '../../decisions/flag-decisions.js';
import { ApiProblem } from '../../problems.js';
import { decisionContext, type V1Deps } from './route-context.js';

const FlagIdParams = z.object({ flagId: z.string().min(1).max(64) });

export const flagRoutes: FastifyPluginAsyncZod<V1Deps> = async (app, deps) => {
  const maxSilence = deps.config.api.flagMaxSilenceMs;
  const view = (flag: WalletFlag): WalletFlagView => ({ ...flag, inForce: flagInForce(flag, deps.now()) });

  app.post(
    '/v1/wallets/:walletId/flags',
    {
      config: { scope: 'flags:write', problems: [413, 415] },
      schema: {
        summary:
          'Flag a wallet: confirmed, blocked, or a false positive on one rule (in force at once) or on every rule (waits for approval)',
        tags: ['flags'],
        params: z.object({ walletId: WalletIdSchema }),
        body: WalletFlagRequestSchema,
        response: { 201: WalletFlagSchema },
      },
    },
    async (request, reply) => {
      const decision = requestFlag(
        request.params.walletId,
        request.body,
        deps.catalog(),
        maxSilence,
        decisionContext(request, deps.now),
      );
      await record(app, deps, request, decision);
      return reply.code(201).send(decision.flag);
    },
  );

  app.get(
    '/v1/wallets/:walletId/flags',
    {
      config: { scope: 'risk:read' },
      schema: {
        summary: "The wallet's flags, newest first, in every status, with whether each holds now",
        tags: ['flags'],
        params: z.object({ walletId: WalletIdSchema }),
        response: { 200: FlagListSchema },
      },
    },
    async (request) => ({ flags: (await app.indexes.audit.walletFlags(request.params.walletId)).map(view) }),
  );

  app.get(
    '/v1/flags',
    {
      config: { scope: 'flags:approve' },
      schema: {
        summary: 'The approval queue: requests waiting for a second principal, oldest first',
        tags: ['flags'],
        querystring: z.object({ status: z.literal('pending-approval').default('pending-approval') }),
        response: { 200: FlagListSchema },
      },
    },
    async () => ({ flags: (await app.indexes.audit.pendingFlags()).map(view) }),
  );

  app.get(
    '/v1/flags/:flagId',
    {
      config: { scope: 'risk:read', problems: [404] },
      schema: {
        summary: 'One flag',
        tags: ['flags'],
        params: FlagIdParams,
        response: { 200: WalletFlagSchema },
      },
    },
    async (request) => existingFlag(app, request.params.flagId),
  );

  app.post(
    '/v1/flags/:flagId/approve',
    {
      config: { scope: 'flags:approve', problems: [404, 409] },
      schema: {
        summary: 'Approve a pending request (not its own maker): the silence starts now and expires',
        tags: ['flags'],
        params: FlagIdParams,
        // No body, or {"reason": ...}; Fastify hands a missing body over as null.
        body: FlagApprovalRequestSchema.nullish(),
        response: { 200: WalletFlagSchema },
      },
    },
    async (request) =>
      review(app, deps, request, request.params.flagId, (current) =>
        approveFlag(
          current,
          request.body?.reason,
          deps.catalog(),
          maxSilence,
          decisionContext(request, deps.now),
        ),
      ),
  );

  app.post(
    '/v1/flags/:flagId/reject',
    {
      config: { scope: 'flags:approve', problems: [404, 409] },
      schema: {
        summary: 'Reject a pending request (not its own maker)',
        tags: ['flags'],
        params: FlagIdParams,
        body: FlagReasonRequestSchema,
        response: { 200: WalletFlagSchema },
      },
    },
    async (request) =>
      review(app, deps, request, request.params.flagId, (current) =>
        rejectFlag(current, request.body.reason, decisionContext(request, deps.now)),
      ),
  );

  app.post(
    '/v1/flags/:flagId/revoke',
    {
      config: { scope: 'flags:write', problems: [404, 409] },
      schema: {
        summary: 'Revoke a flag in force or a pending request',
        tags: ['flags'],
        params: FlagIdParams,
        body: FlagReasonRequestSchema,
        response: { 200: WalletFlagSchema },
      },
    },
    async (request) =>
      review(app, deps, request, request.params.flagId, (current) =>
        revokeFlag(current, request.body.reason, decisionContext(request, deps.now)),
      ),
  );
};

async function existingFlag(app: FastifyInstance, flagId: string): Promise<WalletFlag> {
  const flag = await app.indexes.audit.flag(flagId);
  if (!flag) throw new ApiProblem('FG_NOT_FOUND', `no flag ${flagId}`);
  return flag;
}

/** Acts on a flag under its lock, so two reviews of one request cannot both pass their checks. */
async function review(
  app: FastifyInstance,
  deps: V1Deps,
  request: FastifyRequest,
  flagId: string,
  decide: (current: WalletFlag) => FlagDecision,
): Promise<WalletFlag> {
  await existingFlag(app, flagId);
  const outcome = await app.indexes.audit.withFlagLock(flagId, async () => {
    const decision = decide(await existingFlag(app, flagId));
    await record(app, deps, request, decision);
    return decision.flag;
  });
  if (!outcome) throw new ApiProblem('FG_CONFLICT', `another action on flag ${flagId} is in progress; retry`);
  return outcome.value;
}

/** Commits the audit record to Kafka, then shows it in the index at once (the consumer would, a moment later). */
async function record(
  app: FastifyInstance,
  deps: V1Deps,
  request: FastifyRequest,
  decision: FlagDecision,
): Promise<void> {
  const auditRecord: AuditRecord = decision.record;
  await app.decisionLog.append([
    {
      topic: deps.config.kafka.auditTopic,
      key: auditRecord.walletId,
      value: JSON.stringify(auditRecord),
      timestampMs: Date.parse(auditRecord.at),
    },
  ]);
  try {
    await app.indexes.audit.applyAudit([auditRecord]);
  } catch (error) {
    request.log.warn(
      { err: error, auditId: auditRecord.auditId },
      'recorded in Kafka; the index will show it when its consumer reads it',
    );
  }
}
