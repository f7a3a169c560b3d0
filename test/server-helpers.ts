/** Shared by the server tests: an app on an in-memory or temporary store, and a tiny SSE reader. */
import type { FastifyInstance } from 'fastify';
import type { TimingEvent } from '../src/model/events.js';
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
