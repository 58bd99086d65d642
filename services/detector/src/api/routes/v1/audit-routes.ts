// GET /v1/audit: the audit trail (flags, approvals, revocations, watchlist changes, suppressed alerts)
// from the audit index, newest first, per wallet or overall.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuditPageSchema, CursorSchema } from '../../../../../../schemas/pages.js';
import { WalletIdSchema } from '../../../../../../schemas/wallet-id.js';
import { msOf, type V1Deps } from './route-context.js';

const instant = z.iso.datetime({ offset: true });

export const auditRoutes: FastifyPluginAsyncZod<V1Deps> = async (app) => {
  app.get(
    '/v1/audit',
    {
      config: { scope: 'alerts:read' },
      schema: {
        summary: 'Audit records, newest first, for a wallet or all; nextCursor pages on',
        tags: ['audit'],
        querystring: z.object({
          walletId: WalletIdSchema.optional(),
          from: instant.optional(),
          to: instant.optional(),
          cursor: CursorSchema.optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: AuditPageSchema },
      },
    },
    async (request) => {
      const q = request.query;
      return app.indexes.audit.audit({
        walletId: q.walletId,
        fromMs: msOf(q.from),
        toMs: msOf(q.to),
        cursor: q.cursor,
        limit: q.limit,
      });
    },
  );
};
