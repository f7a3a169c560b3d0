/**
 * Accounts: log in, log out, registration and the subscribe page.
 *
 * Neither log-in nor registration tells whether an e-mail has an account:
 * log-in does the same password work for a missing user and answers "wrong
 * email or password"; registration answers every well-formed request the
 * same way (303 to the log-in page with one neutral notice), whether it
 * created the account or the e-mail was taken, and hashes a password in
 * both cases. OWASP Authentication Cheat Sheet, "Authentication and Error
 * Messages" / "Account creation".
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { field, safeNext, SESSION_COOKIE, type SiteKit } from './kit.js';
import { loginPage, registerPage, subscribePage } from './pages.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';

/** The notice on the log-in page after a registration, whichever way it went. */
export const REGISTERED_NOTICE = 'If this email was not registered yet, your account is ready: log in with it. If it was, log in with the password you chose then.';

export async function authPages(site: FastifyInstance, { kit }: { kit: SiteKit }): Promise<void> {
  const { content, subscriptions } = kit;
  const csrf = { preHandler: site.csrfProtection };

  site.get<{ Querystring: { next?: string; registered?: string } }>('/login', async (request, reply) => {
    const notice = request.query.registered === '1' ? REGISTERED_NOTICE : null;
    return kit.page(reply, loginPage(await kit.pageContext(request, reply), safeNext(request.query.next), null, '', notice));
  });

  // Always the same work, found or not, so timing does not tell which emails have accounts.
  const missingUserHash = await hashPassword(randomBytes(16).toString('hex'));

  site.post('/login', { ...csrf, config: kit.loginLimit }, async (request, reply) => {
    const email = field(request, 'email', 320).trim();
    const password = field(request, 'password', 200);
    const next = safeNext(field(request, 'next', 2000));
    const user = email === '' ? null : await content.userByEmail(email);
    const ok = await verifyPassword(password, user?.passwordHash ?? missingUserHash);
    if (user === null || !ok) {
      request.log.info({ email: email.slice(0, 80) }, 'log-in refused');
      return kit.page(reply, loginPage(await kit.pageContext(request, reply), next, 'Wrong email or password.', email), 401);
    }
    await kit.startSession(request, reply, user);
    return reply.redirect(next, 303);
  });

  site.post('/logout', csrf, async (request, reply) => {
    if (request.siteSession !== null) await content.deleteSession(request.siteSession);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/', 303);
  });

  site.get('/register', async (request, reply) => kit.page(reply, registerPage(await kit.pageContext(request, reply), null)));

  site.post('/register', { ...csrf, config: kit.loginLimit }, async (request, reply) => {
    const name = field(request, 'name', 80).trim();
    const email = field(request, 'email', 320).trim();
    const password = field(request, 'password', 200);
    const problem = name === '' ? 'Give your name.' : !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? 'Give a valid email address.' : passwordProblem(password);
    if (problem !== null) return kit.page(reply, registerPage(await kit.pageContext(request, reply), problem, { name, email }), 400);
    // The hash is computed either way: the answer's timing does not tell a taken e-mail.
    const passwordHash = await hashPassword(password);
    if ((await content.userByEmail(email)) === null) {
      await content.createUser({ email, name, role: 'reader', passwordHash });
    } else {
      request.log.info({ email: email.slice(0, 80) }, 'registration for an existing e-mail: answered as any other');
    }
    return reply.redirect('/login?registered=1', 303);
  });

  site.get('/subscribe', async (request, reply) => {
    const ctx = await kit.pageContext(request, reply);
    return kit.page(reply, subscribePage(ctx, subscriptions.name, ctx.user === null ? null : subscriptions.checkoutUrl(ctx.user)));
  });
}
