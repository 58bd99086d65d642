// POST /v1/transactions: HTTP ingestion for producers without Kafka. One event or {events: [...]},
// each checked by the input topic's own contract; the good ones go to the input topic (acks=all),
// every event gets its own result.
import type { Message } from 'kafkajs';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AMOUNT_PRECISION_CODE,
  TransactionEventSchema,
  type TransactionEvent,
} from '../../../../../../schemas/transaction-event.js';
import {
  TransactionIngestRequestSchema,
  TransactionIngestResponseSchema,
  type TransactionIngestResult,
} from '../../../../../../schemas/transaction-ingest.js';
import { ApiProblem } from '../../problems.js';
import type { V1Deps } from './route-context.js';

type Envelope = { single: true; events: unknown[] } | { single: false; events: unknown[] };

/** Only the envelope is checked before the handler: one bad event must reject itself, not the batch. */
function envelopeOf(body: unknown, batchMax: number): Envelope {
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject(body))
    throw new ApiProblem('FG_BAD_REQUEST', 'the body must be one event object or {"events": [...]}', {
      errors: [{ path: 'body', message: 'must be an object' }],
    });
  if (!('events' in body)) return { single: true, events: [body] };
  const events = body.events;
  if (!Array.isArray(events) || events.length === 0 || events.length > batchMax)
    throw new ApiProblem('FG_BAD_REQUEST', `events must be an array of 1 to ${batchMax} events`, {
      errors: [{ path: 'body.events', message: `must hold 1 to ${batchMax} events` }],
    });
  return { single: false, events };
}

function rejection(index: number, raw: unknown, code: string, reason: string): TransactionIngestResult {
  const eventId =
    typeof raw === 'object' && raw && 'eventId' in raw && typeof raw.eventId === 'string'
      ? raw.eventId
      : null;
  return { index, eventId, status: 'rejected', code, reason };
}

function messageKey(event: TransactionEvent): string {
  return event.toWalletId ?? event.fromWalletId ?? event.toRef ?? event.fromRef ?? event.eventId;
}

export const transactionRoutes: FastifyPluginAsyncZod<V1Deps> = async (app, deps) => {
  const batchMax = deps.config.api.transactionsBatchMax;
  const maxEventBytes = deps.config.ingest.maxEventBytes;

  app.post(
    '/v1/transactions',
    {
      config: { scope: 'transactions:write', problems: [413, 415] },
      schema: {
        summary: `Ingest one transaction event or a batch of up to ${batchMax}; 202 with a result per event`,
        tags: ['transactions'],
        body: TransactionIngestRequestSchema,
        response: { 202: TransactionIngestResponseSchema },
      },
      // The documented body is the contract; the check here is the envelope's, each event's follows.
      validatorCompiler: () => (data: unknown) => ({ value: data }),
    },
    async (request, reply) => {
      const { events } = envelopeOf(request.body as unknown, batchMax);
      const results: TransactionIngestResult[] = [];
      const messages: Message[] = [];
      events.forEach((raw, index) => {
        const value = JSON.stringify(raw);
        if (Buffer.byteLength(value, 'utf8') > maxEventBytes) {
          results.push(
            rejection(index, raw, 'FG_EVENT_TOO_LARGE', `event is larger than ${maxEventBytes} bytes`),
          );
          return;
        }
        const parsed = TransactionEventSchema.safeParse(raw);
        if (!parsed.success) {
          const precision = parsed.error.issues.some(
            (issue) =>
              issue.code === 'custom' &&
              (issue.params as { code?: string } | undefined)?.code === AMOUNT_PRECISION_CODE,
          );
          const reason = parsed.error.issues
            .map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`)
            .join('; ');
          results.push(rejection(index, raw, precision ? AMOUNT_PRECISION_CODE : 'FG_EVENT_INVALID', reason));
          return;
        }
        messages.push({ key: messageKey(parsed.data), value });
        results.push({ index, eventId: parsed.data.eventId, status: 'accepted' });
      });
      await app.eventProducer.send(messages);
      const accepted = messages.length;
      return reply.code(202).send({ accepted, rejected: results.length - accepted, results });
    },
  );
};
