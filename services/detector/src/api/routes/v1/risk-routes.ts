// GET /v1/wallets/:walletId/risk: the wallet's risk from its state, with the flags in force, its
// watchlist listing and its recent alerts from the indexes.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WalletIdSchema } from '../../../../../../schemas/wallet-id.js';
import { WalletRiskSchema, type WalletRisk } from '../../../../../../schemas/wallet-risk.js';
import { flagInForce } from '../../decisions/flag-decisions.js';
import { watchSourceView } from '../../indexes/audit-index.js';
import { ApiProblem } from '../../problems.js';
import type { V1Deps } from './route-context.js';

const RECENT_ALERTS = 10;

export const riskRoutes: FastifyPluginAsyncZod<V1Deps> = async (app, deps) => {
  app.get(
    '/v1/wallets/:walletId/risk',
    {
      config: { scope: 'risk:read', problems: [404] },
      schema: {
        summary:
          "A wallet's risk now: score, level, the rules behind it, its features and timeline, flags, watchlist and recent alerts",
        tags: ['wallets'],
        params: z.object({ walletId: WalletIdSchema }),
        response: { 200: WalletRiskSchema },
      },
    },
    async (request): Promise<WalletRisk> => {
      const { walletId } = request.params;
      const { audit, alerts } = app.indexes;
      const [risk, flags, mentions, recentAlerts] = await Promise.all([
        deps.riskOf(walletId),
        audit.walletFlags(walletId),
        audit.watchMentions(walletId),
        alerts.recent(walletId, RECENT_ALERTS),
      ]);
      if (!risk) throw new ApiProblem('FG_NOT_FOUND', `wallet ${walletId} has no activity on record`);
      const now = deps.now();
      return {
        ...risk,
        flags: flags.filter((flag) => flagInForce(flag, now)),
        watchlist: mentions.map(watchSourceView),
        recentAlerts,
      };
    },
  );
};
