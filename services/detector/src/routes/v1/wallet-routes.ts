// REST: a wallet's risk right now (score, level, features, last alerts) and analyst flags.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { WalletFlagRequestSchema, WalletIdSchema } from '../../../../../schemas/wallet-flag.js';
import type { AlertStore } from '../../alerts/alert-store.js';
import type { FeatureStore } from '../../features/feature-store.js';
import { walletAgeMs } from '../../features/wallet-features.js';
import type { RuleCatalog } from '../../rules/rule-catalog.js';
import { decayedScore, levelOf } from '../../scoring/severity.js';

export interface WalletRouteDeps {
  features: FeatureStore;
  alerts: AlertStore;
  catalog: () => RuleCatalog;
  now: () => number;
}

const ParamsSchema = z.object({ walletId: WalletIdSchema });

function badRequest(message: string) {
  return Object.assign(new Error(message), { statusCode: 400 });
}

function parseParams(params: unknown): string {
  const parsed = ParamsSchema.safeParse(params);
  if (!parsed.success) throw badRequest(`invalid walletId: ${parsed.error.issues[0]!.message}`);
  return parsed.data.walletId;
}

export async function walletRoutes(app: FastifyInstance, deps: WalletRouteDeps): Promise<void> {
  app.get('/v1/wallets/:walletId/risk', {
    schema: {
      summary: "A wallet's current risk: score, level, the rules behind it, its features and last alerts",
      params: { type: 'object', properties: { walletId: { type: 'string' } }, required: ['walletId'] },
    },
    handler: async (request, reply) => {
      const walletId = parseParams(request.params);
      const features = await deps.features.read(walletId);
      if (!features)
        return reply
          .code(404)
          .send({ error: 'Not Found', message: `wallet ${walletId} has no activity on record` });
      const catalog = deps.catalog();
      const now = deps.now();
      const [firings, alerts, flags] = await Promise.all([
        deps.alerts.firings(walletId),
        deps.alerts.recentAlerts(walletId, 5),
        deps.alerts.flags(walletId),
      ]);
      const score = decayedScore(firings, now, catalog.scoring.halfLifeMs);
      const { status: _status, alertPending: _pending, ...view } = features;
      return {
        walletId,
        score,
        level: levelOf(score, catalog.scoring.levels),
        rules: firings.map((f) => ({
          ruleId: f.ruleId,
          weight: f.weight,
          lastFiredAt: new Date(f.firedAtMs).toISOString(),
          contribution: decayedScore([f], now, catalog.scoring.halfLifeMs),
        })),
        features: {
          ...view,
          ageHours: Math.round(walletAgeMs(features, now) / 36e3) / 100,
          firstSeen: new Date(features.firstSeenMs).toISOString(),
          lastEvent: new Date(features.lastEventMs).toISOString(),
        },
        flags,
        recentAlerts: alerts,
      };
    },
  });

  app.post('/v1/wallets/:walletId/flags', {
    schema: {
      summary: 'Analyst feedback: confirmed, false-positive or blocked',
      params: { type: 'object', properties: { walletId: { type: 'string' } }, required: ['walletId'] },
    },
    handler: async (request, reply) => {
      const walletId = parseParams(request.params);
      const body = WalletFlagRequestSchema.safeParse(request.body);
      if (!body.success) {
        const issue = body.error.issues[0]!;
        throw badRequest(`invalid flag: ${issue.path.join('.') || 'body'}: ${issue.message}`);
      }
      const catalog = deps.catalog();
      const now = deps.now();
      const flag = { ...body.data, analyst: 'unknown', at: new Date(now).toISOString() };
      const silenceUntil =
        flag.kind === 'false-positive' ? now + catalog.alerting.falsePositiveSilenceMs : null;
      await deps.alerts.addFlag(walletId, flag, silenceUntil);
      if (flag.kind !== 'false-positive') {
        // A confirmed or blocked wallet's payers seed the replacement-wallet rule.
        const payers = await deps.features.recentPayers(walletId);
        await deps.features.markFlagged(walletId, now, payers, catalog.alerting.donorMemoryMs);
      }
      return reply.code(201).send({ walletId, flag });
    },
  });
}
