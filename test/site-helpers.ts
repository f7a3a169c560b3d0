/** Shared by the site tests: a server with the news site on in-memory stores, and a cookie-keeping form client. */
import type { FastifyInstance } from 'fastify';
import type { ServerOptions } from '../src/server/app.js';
import type { SiteOptions } from '../src/server/site/index.js';
import { SqliteContentStore } from '../src/store/sqlite/content.js';
import { testServer } from './server-helpers.js';

export const ADMIN = { email: 'admin@example.test', password: 'admin-password-1' };

export async function siteServer(site: Partial<SiteOptions> = {}, server: Partial<ServerOptions> = {}): Promise<FastifyInstance> {
  const content = new SqliteContentStore({ file: ':memory:' });
  const app = await testServer({ ...server, site: { content, admin: ADMIN, deskIntervalMs: 60_000, ...site } });
  app.addHook('onClose', async () => content.close());
  return app;
}

/** A browser-like client: keeps cookies, reads the CSRF token of the last form page. */
export class FormClient {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(readonly app: FastifyInstance) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(setCookie: string | string[] | undefined): void {
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie]) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(url: string) {
    const response = await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() } });
    this.keep(response.headers['set-cookie']);
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (token !== null) this.csrf = token[1]!;
    return response;
  }

  /** Posts a form with the page's CSRF token (override `_csrf` to forge). */
  async post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    const body = new URLSearchParams({ _csrf: this.csrf, ...fields }).toString();
    const response = await this.app.inject({
      method: 'POST',
      url,
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: body,
    });
    this.keep(response.headers['set-cookie']);
    return response;
  }

  async login(email: string, password: string) {
    await this.get('/login');
    return this.post('/login', { email, password, next: '/' });
  }
}

export async function createUser(app: FastifyInstance, email: string, role: 'admin' | 'editor' | 'reader', subscriber = false): Promise<{ email: string; password: string }> {
  const admin = new FormClient(app);
  const login = await admin.login(ADMIN.email, ADMIN.password);
  if (login.statusCode !== 303) throw new Error(`admin log-in: ${login.statusCode}`);
  await admin.get('/admin/users');
  const password = `${role}-password-1`;
  const added = await admin.post('/admin/users', { name: `${role[0]!.toUpperCase()}${role.slice(1)} ${email.split('@')[0]}`, email, password, role });
  if (added.statusCode !== 303) throw new Error(`add user: ${added.statusCode} ${added.body.slice(0, 200)}`);
  if (subscriber) {
    const user = await app.site.content.userByEmail(email);
    await admin.get('/admin/users');
    await admin.post(`/admin/users/${user!.id}/subscription`, { subscriber: 'yes' });
  }
  return { email, password };
}
