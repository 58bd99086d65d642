// Follows GET /v1/alerts/stream (server-sent events read through fetch, so the credential travels in a
// header) and reconnects with backoff; the queue refetches its first page after every reconnect, so an
// alert published while the stream was down still shows.
import type { Alert } from '../../../schemas/alert.js';
import { ApiError, type ApiClient } from './api-client.js';
import { EventStreamParser } from './event-stream-parser.js';

export type FeedStatus = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface AlertFeedHandlers {
  onAlert(alert: Alert): void;
  onStatus(status: FeedStatus, detail?: string): void;
  /** The stream is open again after a break: alerts may have been missed meanwhile. */
  onReconnected(): void;
}

const FIRST_RETRY_MS = 1_000;
const LONGEST_RETRY_MS = 15_000;

/** Starts following the stream; returns the function that stops it. */
export function followAlerts(client: ApiClient, handlers: AlertFeedHandlers): () => void {
  const abort = new AbortController();
  void run(client, handlers, abort.signal);
  return () => abort.abort();
}

async function run(client: ApiClient, handlers: AlertFeedHandlers, signal: AbortSignal): Promise<void> {
  let delayMs = FIRST_RETRY_MS;
  let lastEventId: string | null = null;
  let opened = false;
  let serverRetryMs: number | null = null;
  handlers.onStatus('connecting');
  while (!signal.aborted) {
    const parser = new EventStreamParser();
    try {
      const response = await client.openStream('v1/alerts/stream', signal, lastEventId);
      const catchUp = opened;
      opened = true;
      if (!response.body) throw new Error('the stream has no body');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const events = parser.push(value);
        serverRetryMs = parser.retryMs ?? serverRetryMs;
        for (const event of events) {
          if (event.lastEventId) lastEventId = event.lastEventId;
          // The server says "ready" once its reader is at the topic's end: from then on nothing is missed.
          if (event.event === 'ready') {
            handlers.onStatus('live');
            delayMs = FIRST_RETRY_MS;
            if (catchUp) handlers.onReconnected();
          }
          const alert = alertOf(event.event, event.data);
          if (alert) handlers.onAlert(alert);
        }
      }
    } catch (error) {
      if (signal.aborted) break;
      // No credential or no scope: retrying cannot help, and a 401 already signed the analyst out.
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        handlers.onStatus('stopped', error.reason);
        return;
      }
    }
    if (signal.aborted) break;
    handlers.onStatus('reconnecting');
    await pause(withJitter(Math.max(delayMs, serverRetryMs ?? 0)), signal);
    delayMs = Math.min(delayMs * 2, LONGEST_RETRY_MS);
  }
  handlers.onStatus('stopped');
}

function withJitter(delayMs: number): number {
  // A little jitter, so many consoles do not all come back at the same instant after a restart.
  return delayMs + Math.floor(Math.random() * 250);
}

function alertOf(type: string, data: string): Alert | null {
  if (type !== 'alert') return null;
  try {
    const value = JSON.parse(data) as Partial<Alert>;
    return typeof value.alertId === 'string' && typeof value.walletId === 'string' ? (value as Alert) : null;
  } catch {
    return null;
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
