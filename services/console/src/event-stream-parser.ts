// The text/event-stream format (WHATWG HTML, server-sent events) read from fetch chunks: EventSource
// cannot send an Authorization header, so the console reads the stream itself.

export interface StreamEvent {
  /** The event type ("message" when the server named none). */
  event: string;
  data: string;
  /** The last event id the stream set, carried on every event after it. */
  lastEventId: string;
}

export class EventStreamParser {
  private buffer = '';
  private dataLines: string[] = [];
  private eventType = '';
  private lastEventId = '';
  /** The reconnection delay the server asked for (ms), if it did. */
  retryMs: number | null = null;

  /** Feeds one decoded chunk; returns the events it completed. */
  push(chunk: string): StreamEvent[] {
    this.buffer += chunk;
    const events: StreamEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i += 1) {
      const c = this.buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      // A CR at the very end may be the first half of CRLF: wait for the next chunk to know.
      if (c === '\r' && i === this.buffer.length - 1) break;
      const line = this.buffer.slice(start, i);
      if (c === '\r' && this.buffer[i + 1] === '\n') i += 1;
      start = i + 1;
      const event = this.line(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  private line(line: string): StreamEvent | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.dataLines.push(value);
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break;
    }
    return null;
  }

  private dispatch(): StreamEvent | null {
    const data = this.dataLines;
    const type = this.eventType;
    this.dataLines = [];
    this.eventType = '';
    if (data.length === 0) return null;
    return { event: type || 'message', data: data.join('\n'), lastEventId: this.lastEventId };
  }
}
