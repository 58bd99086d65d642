// The queue's alerts: the first page of GET /v1/alerts for the filter, more pages on demand, and the
// alerts the live stream brings in, kept newest first without duplicates.
import type { Alert } from '../../../schemas/alert.js';
import type { ApiClient } from './api-client.js';
import { alertQuery, matchesServerFilter, NO_FILTER, newestFirst, type QueueFilter } from './queue-filter.js';

interface AlertPage {
  alerts: Alert[];
  nextCursor: string | null;
}

const PAGE_SIZE = 50;
/** Live alerts remembered across filter changes (see `fetchPage`). */
const LIVE_KEPT = 500;

export class AlertQueue {
  private byId = new Map<string, Alert>();
  private order: Alert[] = [];
  private listeners = new Set<(change: QueueChange) => void>();
  private generation = 0;
  /** Alerts the stream brought, newest last: the index may not hold them yet when a filter reloads. */
  private live: Alert[] = [];
  filter: QueueFilter = NO_FILTER;
  nextCursor: string | null = null;
  loading = false;
  error: unknown = null;

  constructor(
    private readonly client: ApiClient,
    private readonly now: () => number = Date.now,
  ) {}

  get alerts(): readonly Alert[] {
    return this.order;
  }

  get(alertId: string): Alert | undefined {
    return this.byId.get(alertId);
  }

  onChange(listener: (change: QueueChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Loads the first page for `filter` (replacing what the queue held). */
  async setFilter(filter: QueueFilter): Promise<void> {
    this.filter = filter;
    this.byId.clear();
    this.order = [];
    this.nextCursor = null;
    await this.fetchPage(null, true);
  }

  /** Fetches the first page again and merges it (after the live stream was interrupted). */
  async refresh(): Promise<void> {
    await this.fetchPage(null, false);
  }

  async loadMore(): Promise<void> {
    if (this.nextCursor) await this.fetchPage(this.nextCursor, false);
  }

  /** An alert from the live stream: shown at once if the filter admits it. */
  addLive(alert: Alert): void {
    this.live.push(alert);
    if (this.live.length > LIVE_KEPT) this.live.splice(0, this.live.length - LIVE_KEPT);
    if (!matchesServerFilter(alert, this.filter, this.now())) return;
    const added = this.merge([alert]);
    if (added.length) this.emit({ kind: 'live', added });
  }

  private async fetchPage(cursor: string | null, replace: boolean): Promise<void> {
    const generation = ++this.generation;
    this.loading = true;
    this.error = null;
    this.emit({ kind: 'loading', added: [] });
    try {
      const page = await this.client.get<AlertPage>('v1/alerts', {
        ...alertQuery(this.filter, this.now()),
        limit: PAGE_SIZE,
        cursor: cursor ?? undefined,
      });
      // A newer request (another filter) started meanwhile: its answer wins.
      if (generation !== this.generation) return;
      const added = this.merge([...page.alerts, ...this.liveNotInPage(page)]);
      if (replace || cursor) this.nextCursor = page.nextCursor;
      this.loading = false;
      this.emit({ kind: 'page', added });
    } catch (error) {
      if (generation !== this.generation) return;
      this.loading = false;
      this.error = error;
      this.emit({ kind: 'error', added: [] });
    }
  }

  /**
   * Live alerts the filter admits that belong on this page: the API's index is written by its own
   * consumer, so an alert the stream delivered a moment ago may be missing from the page.
   */
  private liveNotInPage(page: AlertPage): Alert[] {
    const oldest = page.nextCursor ? page.alerts[page.alerts.length - 1] : undefined;
    const now = this.now();
    return this.live.filter(
      (alert) =>
        matchesServerFilter(alert, this.filter, now) &&
        (!oldest || Date.parse(alert.detectedAt) >= Date.parse(oldest.detectedAt)),
    );
  }

  private merge(alerts: Alert[]): Alert[] {
    const added: Alert[] = [];
    for (const alert of alerts) {
      if (this.byId.has(alert.alertId)) continue;
      this.byId.set(alert.alertId, alert);
      added.push(alert);
    }
    if (added.length) this.order = [...this.byId.values()].sort(newestFirst);
    return added;
  }

  private emit(change: QueueChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

export interface QueueChange {
  kind: 'loading' | 'page' | 'live' | 'error';
  added: Alert[];
}
