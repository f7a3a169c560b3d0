/**
 * The auth plugin (src/server/site/auth.ts) on the real app (inject):
 * the log-in `next` parameter follows only paths on this site, and
 * registration does not tell whether an e-mail already has an account
 * (issue 13, item 10).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { REGISTERED_NOTICE } from '../src/server/site/auth.js';
import { safeNext } from '../src/server/site/kit.js';
import { ADMIN, FormClient, siteServer } from './site-helpers.js';

describe('safeNext: only same-site paths', () => {
  it('keeps paths, queries and fragments of this site', () => {
    assert.equal(safeNext('/news/x'), '/news/x');
    assert.equal(safeNext('/editor/articles/3?done=saved#top'), '/editor/articles/3?done=saved#top');
    assert.equal(safeNext('/news/caf%C3%A9'), '/news/caf%C3%A9');
  });

  it('refuses every way to name another host or break the header', () => {
    for (const bad of [
      '//evil.example/',
      '/\\evil.example',
      '/\t/evil.example/x',
      '/%09/evil.example',
      '/\n/evil.example',
      '/x\r\nSet-Cookie: a=b',
      '/ /evil.example',
      '/\u2028/evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      'news',
      '',
      undefined,
    ]) {
      const next = safeNext(bad);
      assert.ok(next === '/' || next.startsWith('/') , `${JSON.stringify(bad)} → ${next}`);
      const url = new URL(next, 'https://sarthe.example');
      assert.equal(url.host, 'sarthe.example', `${JSON.stringify(bad)} → ${next} leaves the site`);
      assert.doesNotMatch(next, /[\s\u0000-\u001f]/, `${JSON.stringify(bad)} → ${JSON.stringify(next)} holds a control character`);
    }
    // The tab form, decoded by the query string parser, is the open redirect of issue 13.
    assert.equal(safeNext(decodeURIComponent('/%09/evil.example/')), '/');
  });
});

describe('log-in and registration over HTTP', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await siteServer();
  });
  after(async () => app.close());

  it('a tab or newline in next neither leaves the site nor breaks the page', async () => {
    for (const next of ['/%09/evil.example/x', '/%0A/evil.example', '/x%0D%0ASet-Cookie:%20a=b', '%2F%2Fevil.example']) {
      const client = new FormClient(app);
      const form = await client.get(`/login?next=${next}`);
      assert.equal(form.statusCode, 200, `GET /login?next=${next}`);
      const hidden = /name="next" value="([^"]*)"/.exec(form.body)?.[1];
      assert.equal(hidden, '/', `next=${next} kept as ${hidden}`);
      const login = await client.post('/login', { email: ADMIN.email, password: ADMIN.password, next: decodeURIComponent(next) });
      assert.equal(login.statusCode, 303, `POST next=${next}: ${login.statusCode}`);
      assert.equal(login.headers.location, '/');
    }
  });

  it('a same-site next is followed after log-in', async () => {
    const client = new FormClient(app);
    await client.get('/login?next=/editor');
    const login = await client.post('/login', { email: ADMIN.email, password: ADMIN.password, next: '/editor' });
    assert.equal(login.headers.location, '/editor');
  });

  it('registering a taken e-mail is answered exactly like a new one', async () => {
    const fresh = new FormClient(app);
    await fresh.get('/register');
    const created = await fresh.post('/register', { name: 'Nina New', email: 'nina@example.test', password: 'nina-password-1' });
    const taken = new FormClient(app);
    await taken.get('/register');
    const again = await taken.post('/register', { name: 'Mallory', email: ADMIN.email, password: 'mallory-password-1' });
    assert.equal(again.statusCode, created.statusCode);
    assert.equal(again.headers.location, created.headers.location);
    assert.equal(again.body, created.body);
    assert.deepEqual([...taken.cookies.keys()].sort(), [...fresh.cookies.keys()].sort(), 'no session cookie in one case only');
    assert.doesNotMatch(again.body + String(again.headers.location), /exist/i);
    // The page it leads to says the same to both.
    const page = await taken.get(String(again.headers.location));
    assert.ok(page.body.includes(REGISTERED_NOTICE.slice(0, 40)));
    // The new account works; the taken one was not changed.
    assert.equal((await new FormClient(app).login('nina@example.test', 'nina-password-1')).statusCode, 303);
    assert.equal((await new FormClient(app).login(ADMIN.email, 'mallory-password-1')).statusCode, 401);
    assert.equal((await app.site.content.userByEmail(ADMIN.email))?.role, 'admin');
  });
});
