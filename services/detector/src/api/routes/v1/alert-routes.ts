// Alerts from the alert index: filtered pages newest first, one alert by id, and the live stream of
// new alerts as server-sent events (authenticated by header: the console reads it with fetch).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AlertSchema, SeveritySchema, type Alert } from '../../../../../../schemas/alert.js';
import { AlertPageSchema, CursorSchema } from '../../../../../../schemas/pages.js';
import { WalletIdSchema } from '../../../../../../schemas/wallet-id.js';
import { RuleIdSchema } from '../../../../../../schemas/wallet-flag.js';
import { ApiProblem } from '../../problems.js';
import { msOf, type V1Deps } from './route-context.js';

const instant = z.iso.datetime({ offset: true });

const AlertFilters = z.object({
  walletId: WalletIdSchema.optional(),
  rule: RuleIdSchema.optional(),
  severity: SeveritySchema.optional(),
});

const AlertQuery = AlertFilters.extend({
  from: instant.optional().describe('detectedAt at or after'),
  to: instant.optional().describe('detectedAt at or before'),
  cursor: CursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const alertRoutes: FastifyPluginAsyncZod<V1Deps> = async (app, deps) => {
  // Open streams end when the app closes, before the server waits for its connections.
  const open = new Set<FastifyReply>();
  app.addHook('preClose', async () => {
    for (const reply of open) reply.raw.end();
    open.clear();
  });

  app.get(
    '/v1/alerts',
    {
      config: { scope: 'alerts:read' },
      schema: {
        summary: 'Alerts, newest first, by wallet, rule, severity and time; nextCursor pages on',
        tags: ['alerts'],
        querystring: AlertQuery,
        response: { 200: AlertPageSchema },
      },
    },
    async (request) => {
      const q = request.query;
      return app.indexes.alerts.list({
        walletId: q.walletId,
        rule: q.rule,
        severity: q.severity,
        fromMs: msOf(q.from),
        toMs: msOf(q.to),
        cursor: q.cursor,
        limit: q.limit,
      });
    },
  );

  app.get(
    '/v1/alerts/stream',
    {
      config: { scope: 'alerts:read' },
      schema: {
        summary:
          'New alerts as server-sent events ("event: alert", data = the alert JSON, id = alertId); "event: ready" once the stream is live; comments keep it open',
        tags: ['alerts'],
        querystring: AlertFilters,
        response: {
          200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
        },
      },
    },
    async (request, reply) =>
      streamAlerts(app.indexes.stream, request, reply, request.query, deps.config.api.sseKeepAliveMs, open),
  );

  app.get(
    '/v1/alerts/:alertId',
    {
      config: { scope: 'alerts:read', problems: [404] },
      schema: {
        summary: 'One alert',
        tags: ['alerts'],
        params: z.object({ alertId: z.string().min(1).max(256) }),
        response: { 200: AlertSchema },
      },
    },
    async (request) => {
      const alert = await app.indexes.alerts.get(request.params.alertId);
      if (!alert) throw new ApiProblem('FG_NOT_FOUND', `no alert ${request.params.alertId} in the index`);
      return alert;
    },
  );
};

type Filters = z.infer<typeof AlertFilters>;

function streamAlerts(
  stream: { subscribe(listener: (alert: Alert) => void): () => void; whenLive(): Promise<void> },
  request: FastifyRequest,
  reply: FastifyReply,
  filters: Filters,
  keepAliveMs: number,
  open: Set<FastifyReply>,
): void {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  });
  raw.write(': FlowGuard alert stream\nretry: 3000\n\n');
  open.add(reply);
  const matches = (alert: Alert) =>
    (!filters.walletId || alert.walletId === filters.walletId) &&
    (!filters.rule || alert.rules.includes(filters.rule)) &&
    (!filters.severity || alert.severity === filters.severity);
  const unsubscribe = stream.subscribe((alert) => {
    if (matches(alert)) raw.write(`id: ${alert.alertId}\nevent: alert\ndata: ${JSON.stringify(alert)}\n\n`);
  });
  void stream.whenLive().then(() => {
    if (!raw.writableEnded) raw.write('event: ready\ndata: {}\n\n');
  });
  const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), keepAliveMs);
  keepAlive.unref();
  request.raw.on('close', () => {
    clearInterval(keepAlive);
    unsubscribe();
    open.delete(reply);
  });
}
