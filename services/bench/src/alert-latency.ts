// Event-to-alert latency at a fixed rate: ordinary traffic from a token bucket, plus a "campaign" every
// second — a young wallet taking 25 small deposits from 25 payers within a second, which the default
// young-wallet-fan-in rule alerts on at the 20th. Latency = alert received − triggering event produced.
import type { Kafka, Message, Producer } from 'kafkajs';
import { TrafficGenerator, type GeneratedMessage } from './event-generator.js';
import { sleep } from './kafka-bench.js';

export interface LatencyResult {
  rate: number;
  seconds: number;
  /** Events produced per second, campaigns included. */
  achievedRate: number;
  campaigns: number;
  alerted: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const CAMPAIGN_EVERY_MS = 1_000;
const CAMPAIGN_DEPOSITS = 25;
const CAMPAIGN_SPREAD_MS = 1_000;
const TICK_MS = 5;
/**
 * Alerts of the last campaigns may trail the traffic; wait this long for them. A campaign still not
 * alerted counts as infinitely late, so a detector that falls behind shows it in the percentiles
 * (null in the JSON) rather than being judged on the campaigns it managed.
 */
const DRAIN_MS = 30_000;

interface Scheduled {
  atMs: number;
  message: GeneratedMessage;
  /** `${walletId}|${occurredAtMs}`, what the alert carries back. */
  match: string;
}

function campaignEvents(run: string, n: number, startMs: number, nowMs: number): Scheduled[] {
  const walletId = `camp-${run}-${n}`;
  const openedAt = new Date(nowMs - 3_600_000).toISOString();
  return Array.from({ length: CAMPAIGN_DEPOSITS }, (_, k) => {
    const atMs = startMs + (k * CAMPAIGN_SPREAD_MS) / CAMPAIGN_DEPOSITS;
    // Event times are unique per wallet (one ms apart at least) so an alert's eventTime names its event.
    const occurredAtMs = Math.round(nowMs + atMs - startMs) + k;
    const json = `{"eventId":"camp-${run}-${n}-${k}","occurredAt":"${new Date(occurredAtMs).toISOString()}","type":"deposit","amount":"300.00","currency":"RUB","fromRef":"donor-${run}-${n}-${k}","toWalletId":"${walletId}","toWalletCreatedAt":"${openedAt}","channel":"card"}`;
    return {
      atMs,
      message: { key: Buffer.from(walletId), value: Buffer.from(json) },
      match: `${walletId}|${occurredAtMs}`,
    };
  });
}

export async function measureLatency(
  kafka: Kafka,
  producer: Producer,
  options: {
    run: string;
    inputTopic: string;
    alertsTopic: string;
    rate: number;
    seconds: number;
    traffic: TrafficGenerator;
  },
): Promise<LatencyResult> {
  const { rate, seconds, traffic } = options;
  const producedAt = new Map<string, number>();
  const latencies = new Map<string, number>();
  const alerts = kafka.consumer({
    groupId: `${options.alertsTopic}-reader`,
    maxWaitTimeInMs: 10,
    allowAutoTopicCreation: false,
  });
  await alerts.connect();
  await alerts.subscribe({ topic: options.alertsTopic, fromBeginning: true });
  const joined = new Promise<void>((resolve) => alerts.on(alerts.events.GROUP_JOIN, () => resolve()));
  await alerts.run({
    eachMessage: async ({ message }) => {
      const receivedAt = performance.now();
      const alert = JSON.parse(message.value!.toString('utf8')) as { walletId: string; eventTime: string };
      const match = `${alert.walletId}|${Date.parse(alert.eventTime)}`;
      const sentAt = producedAt.get(match);
      // Only the first alert of a campaign wallet counts; background alerts are not campaigns.
      if (sentAt !== undefined && !latencies.has(alert.walletId)) {
        latencies.set(alert.walletId, receivedAt - sentAt);
      }
    },
  });
  await joined;

  const inFlight = new Set<Promise<unknown>>();
  let failed: unknown;
  const send = (messages: Message[]) => {
    const sending = producer.send({ topic: options.inputTopic, acks: -1, messages });
    inFlight.add(sending);
    sending
      .catch((error: unknown) => (failed ??= error))
      .finally(() => inFlight.delete(sending))
      .catch(() => undefined);
  };

  const startedAt = performance.now();
  const durationMs = seconds * 1000;
  let queued: Scheduled[] = [];
  let campaigns = 0;
  let background = 0;
  let produced = 0;
  for (let elapsed = 0; elapsed < durationMs; elapsed = performance.now() - startedAt) {
    if (failed) throw new Error('producing the latency traffic failed', { cause: failed });
    // Campaigns start after a second of warm-up and stop two seconds before the end.
    if (elapsed >= 1_000 + campaigns * CAMPAIGN_EVERY_MS && elapsed < durationMs - 2_000) {
      queued.push(...campaignEvents(options.run, campaigns, elapsed, Date.now()));
      campaigns += 1;
    }
    const messages: Message[] = [];
    const due = Math.floor((elapsed / 1000) * rate) - background;
    const nowMs = Date.now();
    for (let i = 0; i < due; i++) messages.push(traffic.next(nowMs));
    background += Math.max(0, due);
    const ready = queued.filter((s) => s.atMs <= elapsed);
    if (ready.length) {
      queued = queued.filter((s) => s.atMs > elapsed);
      const sentAt = performance.now();
      for (const s of ready) {
        producedAt.set(s.match, sentAt);
        messages.push(s.message);
      }
    }
    if (messages.length) {
      produced += messages.length;
      send(messages);
    }
    await sleep(TICK_MS);
  }
  await Promise.all(inFlight);
  const producedSeconds = (performance.now() - startedAt) / 1000;
  const drainUntil = performance.now() + DRAIN_MS;
  while (latencies.size < campaigns && performance.now() < drainUntil) await sleep(50);
  await alerts.disconnect();

  const missed = Array.from({ length: campaigns - latencies.size }, () => Infinity);
  const sorted = [...latencies.values(), ...missed].sort((a, b) => a - b);
  return {
    rate,
    seconds,
    achievedRate: produced / producedSeconds,
    campaigns,
    alerted: latencies.size,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}

/** Nearest-rank percentile of an ascending list (NaN when empty). */
export function percentile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
