/**
 * Issue 15, "Newcomer friction", the items a unit test can hold:
 * - every answered request, 4xx included, is one log line an operator can
 *   audit (method, route, url, status, time);
 * - signed in, staff (editors, admins) are not offered "Subscribe"; a
 *   reader who is not a subscriber is, and so is a visitor.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { ADMIN, createUser, FormClient, siteServer } from './site-helpers.js';
import { testServer } from './server-helpers.js';

/** Pino's JSON lines, kept. */
function logSink(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, lines: () => text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('requests are logged', () => {
  it('one line per answered request, 4xx included, with method, route, url, status and time', async () => {
    const sink = logSink();
    const app = await testServer({ logger: { level: 'info', stream: sink.stream } });
    try {
      assert.equal((await app.inject({ url: '/api/races/no-such-race/standings' })).statusCode, 404);
      assert.equal((await app.inject({ url: '/api/races?bogus=1' })).statusCode, 400);
      assert.equal((await app.inject({ url: '/api/races' })).statusCode, 200);
      const requests = sink.lines().filter((l) => l.msg === 'request');
      assert.deepEqual(
        requests.map((l) => [l.method, l.url, l.status]),
        [
          ['GET', '/api/races/no-such-race/standings', 404],
          ['GET', '/api/races?bogus=1', 400],
          ['GET', '/api/races', 200],
        ],
      );
      assert.equal(requests[0]!.route, '/api/races/:race/standings');
      for (const l of requests) {
        assert.equal(typeof l.ms, 'number');
        assert.equal(typeof l.reqId, 'string', 'the request id ties the line to the answer header');
      }
    } finally {
      await app.close();
    }
  });
});

describe('"Subscribe" is offered only to those who can subscribe', () => {
  it('a visitor and a reader see it; an editor, an admin and a subscriber do not', async () => {
    const app = await siteServer();
    try {
      const subscribeLinks = (body: string): number => (/<header class="topbar">[\s\S]*?<\/header>/.exec(body)?.[0].match(/href="\/subscribe"/g) ?? []).length;
      const visitor = new FormClient(app);
      assert.equal(subscribeLinks((await visitor.get('/')).body), 1, 'visitor');
      const accounts = {
        reader: await createUser(app, 'reader@example.test', 'reader'),
        editor: await createUser(app, 'editor@example.test', 'editor'),
        subscriber: await createUser(app, 'sub@example.test', 'reader', true),
      };
      const seen: Record<string, number> = {};
      for (const [who, account] of [...Object.entries(accounts), ['admin', ADMIN] as const]) {
        const client = new FormClient(app);
        assert.equal((await client.login(account.email, account.password)).statusCode, 303, who);
        seen[who] = subscribeLinks((await client.get('/')).body);
      }
      assert.deepEqual(seen, { reader: 1, editor: 0, subscriber: 0, admin: 0 });
    } finally {
      await app.close();
    }
  });
});
