/** Admin: users, roles, subscriptions and ingest tokens. Admins only. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ROLES, type Role } from '../../store/content.js';
import { field, hashToken, type SiteKit } from './kit.js';
import { tokensPage, usersPage } from './pages.js';
import { hashPassword, passwordProblem } from './passwords.js';

const USER_FLASH: Record<string, string> = { role: 'Role changed.', subscription: 'Subscription changed.', added: 'User added.' };
const ADMINS = ['admin'] as const;

export async function adminPages(site: FastifyInstance, { kit }: { kit: SiteKit }): Promise<void> {
  const { content, subscriptions } = kit;
  const csrf = { preHandler: site.csrfProtection };

  site.get<{ Querystring: { done?: string } }>('/admin/users', async (request, reply) => {
    if (!(await kit.needRole(request, reply, ADMINS))) return reply;
    return kit.page(reply, usersPage(await kit.pageContext(request, reply), await content.users(), subscriptions.name, USER_FLASH[request.query.done ?? ''] ?? null));
  });

  site.post('/admin/users', csrf, async (request, reply) => {
    if (!(await kit.needRole(request, reply, ADMINS))) return reply;
    const name = field(request, 'name', 80).trim();
    const email = field(request, 'email', 320).trim();
    const password = field(request, 'password', 200);
    const role = field(request, 'role', 20) as Role;
    const problem = name === '' || !email.includes('@') ? 'Give a name and an email.' : !ROLES.includes(role) ? 'Unknown role.' : passwordProblem(password);
    if (problem !== null || (await content.userByEmail(email)) !== null) {
      return kit.message(request, reply, 400, 'Not added', problem ?? 'A user with this email exists.');
    }
    await content.createUser({ email, name, role, passwordHash: await hashPassword(password) });
    return reply.redirect('/admin/users?done=added', 303);
  });

  site.post<{ Params: { id: string } }>('/admin/users/:id/role', csrf, async (request, reply) => {
    if (!(await kit.needRole(request, reply, ADMINS))) return reply;
    const role = field(request, 'role', 20) as Role;
    const id = Number(request.params.id);
    if (!ROLES.includes(role) || !Number.isInteger(id)) return kit.message(request, reply, 400, 'Not changed', 'Unknown role or user.');
    if (id === request.siteUser!.id && role !== 'admin') return kit.message(request, reply, 400, 'Not changed', 'You cannot remove your own admin role.');
    if ((await content.updateUser(id, { role })) === null) return kit.notFound(request, reply);
    // A changed role takes effect at once: old sessions would keep the old rights otherwise.
    if (id !== request.siteUser!.id) await content.deleteUserSessions(id);
    return reply.redirect('/admin/users?done=role', 303);
  });

  site.post<{ Params: { id: string } }>('/admin/users/:id/subscription', csrf, async (request, reply) => {
    if (!(await kit.needRole(request, reply, ADMINS))) return reply;
    const id = Number(request.params.id);
    const user = Number.isInteger(id) ? await (field(request, 'subscriber', 5) === 'yes' ? subscriptions.grant(id) : subscriptions.revoke(id)) : null;
    if (user === null) return kit.notFound(request, reply);
    return reply.redirect('/admin/users?done=subscription', 303);
  });

  site.get('/admin/tokens', async (request, reply) => {
    if (!(await kit.needRole(request, reply, ADMINS))) return reply;
    return kit.page(reply, tokensPage(await kit.pageContext(request, reply), await content.apiTokens(), null));
  });

  site.post('/admin/tokens', csrf, async (request, reply) => {
    if (!(await kit.needRole(request, reply, ADMINS))) return reply;
    const name = field(request, 'name', 120).trim();
    if (name === '') return kit.message(request, reply, 400, 'Not created', 'Say what the token is for.');
    const token = `sarthe_${randomBytes(32).toString('base64url')}`;
    await content.createApiToken({ name, tokenHash: hashToken(token), createdBy: request.siteUser!.id }, Date.now());
    request.log.info({ name, admin: request.siteUser!.email }, 'ingest token issued');
    // Shown once, in this response only (never in a URL or a log).
    return kit.page(reply, tokensPage(await kit.pageContext(request, reply), await content.apiTokens(), token));
  });

  site.post<{ Params: { id: string } }>('/admin/tokens/:id/revoke', csrf, async (request, reply) => {
    if (!(await kit.needRole(request, reply, ADMINS))) return reply;
    const id = Number(request.params.id);
    if (!Number.isInteger(id) || (await content.revokeApiToken(id, Date.now())) === null) return kit.notFound(request, reply);
    return reply.redirect('/admin/tokens', 303);
  });
}
