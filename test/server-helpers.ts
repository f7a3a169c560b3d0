/** Shared by the server tests: an app on an in-memory or temporary store, and a tiny SSE reader. */
import { get as httpGet, type ClientRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { applyDelta } from '../src/engine/delta.js';
import type { TimingEvent } from '../src/model/events.js';
import type { LiveDelta, LiveSnapshot } from '../src/model/live.js';
import { MESSAGE_LIMIT } from '../src/server/live-race.js';
import { buildServer, type ServerOptions } from '../src/server/app.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';

export const TOKEN = 'test-token';

export async function testServer(options: Partial<ServerOptions> = {}): Promise<FastifyInstance> {
  return buildServer({ store: new SqliteEventStore({ file: ':memory:' }), ingestToken: TOKEN, ...options });
}

export function post(app: FastifyInstance, race: string, events: unknown, query = '') {
  return app.inject({
    method: 'POST',
    url: `/api/races/${race}/events${query}`,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    payload: JSON.stringify(events),
  });
}

export async function storedEvents(app: FastifyInstance, race: string): Promise<Array<{ seq: number; key: string; event: TimingEvent }>> {
  const response = await app.inject({ method: 'GET', url: `/api/races/${race}/events?limit=10000` });
  if (response.statusCode === 404) return [];
  return response.json().events;
}

export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

/** Splits an SSE byte stream into messages (comments and retry lines skipped). */
export class SseParser {
  private buffer = '';

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const messages: SseMessage[] = [];
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let id: string | null = null;
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) messages.push({ id, event, data: data.join('\n') });
    }
    return messages;
  }
}

/**
 * A viewer as a browser's EventSource behaves: applies the snapshot and
 * deltas, and when the stream ends reconnects with Last-Event-ID.
 */
export class LiveViewer {
  state: LiveSnapshot | null = null;
  lastEventId: string | null = null;
  snapshots = 0;
  /** Seq of each snapshot received, in order (the deltas after the first count from it). */
  snapshotSeqs: number[] = [];
  deltas: number[] = [];
  connections = 0;
  private request: ClientRequest | null = null;
  private stopped = false;

  constructor(private base: string, private readonly race: string, private readonly reconnectMs = 50) {
    this.connect();
  }

  /** Points the viewer at another server address (after a restart on a new port). */
  moveTo(base: string): void {
    this.base = base;
  }

  private connect(): void {
    if (this.stopped) return;
    this.connections++;
    const parser = new SseParser();
    const headers: Record<string, string> = this.lastEventId === null ? {} : { 'last-event-id': this.lastEventId };
    const request = httpGet(`${this.base}/api/races/${this.race}/live`, { headers }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        return;
      }
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        for (const message of parser.push(chunk)) this.receive(message);
      });
    });
    request.on('error', () => undefined);
    request.on('close', () => {
      if (this.request === request) setTimeout(() => this.connect(), this.reconnectMs);
    });
    this.request = request;
  }

  private receive(message: SseMessage): void {
    if (message.event === 'snapshot') {
      this.state = JSON.parse(message.data) as LiveSnapshot;
      this.snapshots++;
      this.snapshotSeqs.push(this.state.seq);
    } else if (message.event === 'delta') {
      const delta = JSON.parse(message.data) as LiveDelta;
      if (this.state === null) throw new Error('delta before any snapshot');
      this.state = applyDelta(this.state, delta, MESSAGE_LIMIT);
      this.deltas.push(delta.seq);
    }
    if (message.id !== null) this.lastEventId = message.id;
  }

  /** Drops the connection as a network failure would (the viewer reconnects). */
  cut(): void {
    this.request?.destroy();
  }

  close(): void {
    this.stopped = true;
    const request = this.request;
    this.request = null;
    request?.destroy();
  }

  async waitForSeq(seq: number, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.state?.seq !== seq) {
      if (Date.now() > until) throw new Error(`viewer stuck at seq ${this.state?.seq ?? 'none'}, waiting for ${seq}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Reads one stream until its first message and returns it (a fresh viewer's snapshot). */
export async function freshSnapshot(base: string, race: string): Promise<LiveSnapshot> {
  return new Promise((resolve, reject) => {
    const parser = new SseParser();
    const request = httpGet(`${base}/api/races/${race}/live`, (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const [first] = parser.push(chunk);
        if (first !== undefined) {
          request.destroy();
          resolve(JSON.parse(first.data) as LiveSnapshot);
        }
      });
    });
    request.on('error', reject);
  });
}
