// The watchlist (issue 10 item 4): list a wallet from a public source, take it off, and see every
// listing in force — the REST ones and those compliance writes straight to the mentions topic — with
// the alerts that cited it.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditRecord } from '../../../../../../schemas/audit-record.js';
import { WalletIdSchema } from '../../../../../../schemas/wallet-id.js';
import { WalletMentionSchema, type WalletMention } from '../../../../../../schemas/wallet-mention.js';
import {
  WatchlistAddRequestSchema,
  WatchlistRemoveRequestSchema,
  WatchlistSchema,
  type WatchlistEntry,
} from '../../../../../../schemas/watchlist.js';
import { watchSourceView } from '../../indexes/audit-index.js';
import { ApiProblem } from '../../problems.js';
import { decisionContext, type V1Deps } from './route-context.js';

const RemovalSchema = z.object({
  walletId: WalletIdSchema,
  removedAt: z.iso.datetime(),
  mentionsRemoved: z.number().int(),
});

export const watchlistRoutes: FastifyPluginAsyncZod<V1Deps> = async (app, deps) => {
  const { config } = deps;

  app.post(
    '/v1/watchlist',
    {
      config: { scope: 'watchlist:write', problems: [413, 415] },
      schema: {
        summary:
          'List a wallet seen in a public source; its first inbound payment after listing raises an alert',
        tags: ['watchlist'],
        body: WatchlistAddRequestSchema,
        response: { 201: WalletMentionSchema },
      },
    },
    async (request, reply) => {
      const ctx = decisionContext(request, deps.now);
      const body = request.body;
      if (body.expiresAt !== undefined && Date.parse(body.expiresAt) <= ctx.nowMs)
        throw new ApiProblem('FG_BAD_REQUEST', 'expiresAt is in the past', {
          errors: [{ path: 'body.expiresAt', message: 'must be in the future' }],
        });
      const now = new Date(ctx.nowMs).toISOString();
      const mention: WalletMention = {
        mentionId: `api-${randomUUID()}`,
        walletId: body.walletId,
        source: body.source,
        ...(body.url !== undefined ? { url: body.url } : {}),
        seenAt: now,
        ...(body.note !== undefined ? { note: body.note } : {}),
        expiresAt: body.expiresAt ?? new Date(ctx.nowMs + config.pipeline.watchlistTtlMs).toISOString(),
      };
      const record: AuditRecord = {
        schemaVersion: 1,
        auditId: ctx.newId(),
        action: 'watchlist.added',
        at: now,
        principal: ctx.principal,
        requestId: ctx.requestId,
        walletId: mention.walletId,
        ...(body.note !== undefined ? { reason: body.note } : {}),
        mention,
        after: mention,
      };
      // The mention and its audit record commit together, or neither does.
      await app.decisionLog.append([
        {
          topic: config.kafka.mentionsTopic,
          key: mention.walletId,
          value: JSON.stringify(mention),
          timestampMs: ctx.nowMs,
        },
        {
          topic: config.kafka.auditTopic,
          key: mention.walletId,
          value: JSON.stringify(record),
          timestampMs: ctx.nowMs,
        },
      ]);
      try {
        await app.indexes.audit.applyMention(mention, ctx.nowMs);
        await app.indexes.audit.applyAudit([record]);
      } catch (error) {
        request.log.warn(
          { err: error },
          'recorded in Kafka; the index will show it when its consumer reads it',
        );
      }
      return reply.code(201).send(mention);
    },
  );

  app.delete(
    '/v1/watchlist/:walletId',
    {
      config: { scope: 'watchlist:write', problems: [404, 413, 415] },
      schema: {
        summary: 'Take a wallet off the watchlist (every listing until now), with the reason',
        tags: ['watchlist'],
        params: z.object({ walletId: WalletIdSchema }),
        body: WatchlistRemoveRequestSchema,
        response: { 200: RemovalSchema },
      },
    },
    async (request) => {
      const ctx = decisionContext(request, deps.now);
      const { walletId } = request.params;
      const listed = await app.indexes.audit.watchMentions(walletId);
      if (listed.length === 0)
        throw new ApiProblem('FG_NOT_FOUND', `wallet ${walletId} is not on the watchlist`);
      const at = new Date(ctx.nowMs).toISOString();
      const record: AuditRecord = {
        schemaVersion: 1,
        auditId: ctx.newId(),
        action: 'watchlist.removed',
        at,
        principal: ctx.principal,
        requestId: ctx.requestId,
        walletId,
        reason: request.body.reason,
        before: listed.map(watchSourceView),
        after: null,
      };
      await app.decisionLog.append([
        {
          topic: config.kafka.auditTopic,
          key: walletId,
          value: JSON.stringify(record),
          timestampMs: ctx.nowMs,
        },
      ]);
      try {
        await app.indexes.audit.applyAudit([record]);
      } catch (error) {
        request.log.warn(
          { err: error },
          'recorded in Kafka; the index will show it when its consumer reads it',
        );
      }
      return { walletId, removedAt: at, mentionsRemoved: listed.length };
    },
  );

  app.get(
    '/v1/watchlist',
    {
      config: { scope: 'risk:read' },
      schema: {
        summary:
          'Wallets listed now, with their sources, listing time, expiry and hits (alerts citing the watchlist)',
        tags: ['watchlist'],
        response: { 200: WatchlistSchema },
      },
    },
    async () => {
      const listed = await app.indexes.audit.watchlist();
      const hits = await app.indexes.alerts.watchHits(
        listed.map((entry) => ({ walletId: entry.walletId, sinceMs: entry.mentions[0]!.listedAtMs })),
      );
      const entries: WatchlistEntry[] = listed.map((entry, i) => ({
        walletId: entry.walletId,
        sources: entry.mentions.map(watchSourceView),
        listedAt: new Date(entry.mentions[0]!.listedAtMs).toISOString(),
        expiresAt: new Date(Math.max(...entry.mentions.map((m) => m.expiresAtMs))).toISOString(),
        hits: {
          count: hits[i]!.count,
          lastAlertId: hits[i]!.lastAlertId,
          lastAlertAt:
            hits[i]!.lastAlertAtMs === null ? null : new Date(hits[i]!.lastAlertAtMs!).toISOString(),
        },
      }));
      return { entries: entries.reverse() };
    },
  );
};
