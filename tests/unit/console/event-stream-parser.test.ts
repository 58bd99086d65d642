import { describe, expect, it } from 'vitest';
import { EventStreamParser } from '../../../services/console/src/event-stream-parser.js';

const STREAM =
  ': FlowGuard alert stream\nretry: 3000\n\nevent: ready\ndata: {}\n\nid: al-1\nevent: alert\ndata: {"alertId":"al-1"}\n\n: keep-alive\n\n';

describe('EventStreamParser', () => {
  it('reads the alert stream as the API writes it: comments, retry, ready, alerts with ids', () => {
    const parser = new EventStreamParser();
    expect(parser.push(STREAM)).toEqual([
      { event: 'ready', data: '{}', lastEventId: '' },
      { event: 'alert', data: '{"alertId":"al-1"}', lastEventId: 'al-1' },
    ]);
    expect(parser.retryMs).toBe(3000);
  });

  it('gives the same events however the bytes are cut into chunks, CRLF and CR line ends included', () => {
    const crlf = STREAM.replaceAll('\n', '\r\n');
    const cr = STREAM.replaceAll('\n', '\r');
    const whole = new EventStreamParser().push(STREAM);
    for (const text of [STREAM, crlf, cr]) {
      for (let size = 1; size <= 7; size += 1) {
        const parser = new EventStreamParser();
        const events = [];
        for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)));
        // A CR ending a chunk waits for the next one: a CRLF cut in two is still one line end.
        expect(events).toEqual(whole);
      }
    }
  });

  it('joins multi-line data, defaults the type to "message" and keeps the last id across events', () => {
    const parser = new EventStreamParser();
    expect(parser.push('id: 7\ndata: a\ndata:b\n\ndata: c\n\n')).toEqual([
      { event: 'message', data: 'a\nb', lastEventId: '7' },
      { event: 'message', data: 'c', lastEventId: '7' },
    ]);
  });

  it('dispatches nothing for an event without data, and ignores unknown fields', () => {
    const parser = new EventStreamParser();
    expect(parser.push('event: alert\n\nfoo: bar\nretry: soon\n\n')).toEqual([]);
    expect(parser.retryMs).toBeNull();
  });
});
