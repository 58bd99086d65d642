// What this analyst has opened and handled, kept in the browser (localStorage) per principal: the
// server has no notion of "read", and two analysts sharing a queue each keep their own marks.

export interface AlertMark {
  read: boolean;
  handled: boolean;
}

/** What the marks need of localStorage (so they also run, and are tested, outside a browser). */
export interface MarkStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Marks kept per principal; older ones are dropped first (alerts that old left the queue long ago). */
const MAX_MARKS = 5_000;

export class QueueMarks {
  private readonly marks: Map<string, AlertMark>;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly storage: MarkStorage,
    private readonly key: string,
  ) {
    this.marks = new Map(load(storage, key));
  }

  static forPrincipal(storage: MarkStorage, principalId: string): QueueMarks {
    return new QueueMarks(storage, `flowguard.console.marks.${principalId}`);
  }

  get(alertId: string): AlertMark {
    return this.marks.get(alertId) ?? { read: false, handled: false };
  }

  markRead(alertId: string): void {
    this.set(alertId, { ...this.get(alertId), read: true });
  }

  setHandled(alertId: string, handled: boolean): void {
    this.set(alertId, { read: true, handled });
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(alertId: string, mark: AlertMark): void {
    const current = this.marks.get(alertId);
    if (current && current.read === mark.read && current.handled === mark.handled) return;
    // Re-inserting moves the entry to the newest end of the Map's order.
    this.marks.delete(alertId);
    this.marks.set(alertId, mark);
    while (this.marks.size > MAX_MARKS) this.marks.delete(this.marks.keys().next().value as string);
    this.save();
    for (const listener of this.listeners) listener();
  }

  private save(): void {
    const compact = [...this.marks].map(([id, mark]) => [id, (mark.read ? 1 : 0) + (mark.handled ? 2 : 0)]);
    try {
      this.storage.setItem(this.key, JSON.stringify(compact));
    } catch {
      // A full or disabled storage only costs the marks across reloads; the page keeps them meanwhile.
    }
  }
}

function load(storage: MarkStorage, key: string): [string, AlertMark][] {
  try {
    const parsed = JSON.parse(storage.getItem(key) ?? '[]') as unknown;
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter((entry): entry is [string, number] => Array.isArray(entry) && typeof entry[0] === 'string')
      .map(([id, bits]) => [id, { read: (bits & 1) === 1, handled: (bits & 2) === 2 }]);
  } catch {
    return [];
  }
}
