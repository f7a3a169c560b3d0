/**
 * The site's security layer, in the order a request meets it: response
 * headers (CSP that runs no script but the site's own, nosniff, referrer
 * policy, no shared caching), the session cookie (HttpOnly, SameSite=Lax; the
 * database keeps only its SHA-256) naming the user, a POST from another site
 * refused before its body is read (Sec-Fetch-Site / Origin), and one error
 * page for every failure (CSRF, rate limit, server error). CSRF tokens
 * themselves are checked per route (`site.csrfProtection`).
 *
 * Registered with `sharedWithParent`, so it applies to every area of the site.
 */
import type { FastifyInstance } from 'fastify';
import { hashToken, SESSION_COOKIE, sharedWithParent, type SiteKit } from './kit.js';
import { messagePage } from './pages.js';

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "frame-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** host[:port] as URL normalises it (default ports dropped), null when unreadable. */
function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

export const siteSecurity = sharedWithParent(async function siteSecurity(site: FastifyInstance, { kit }: { kit: SiteKit }) {
  site.decorateRequest('siteUser', null);
  site.decorateRequest('siteSession', null);

  site.addHook('onRequest', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('content-security-policy', CSP);
    const token = request.cookies[SESSION_COOKIE];
    if (token !== undefined && token.length > 20 && token.length < 100) {
      const idHash = hashToken(token);
      request.siteUser = await kit.content.sessionUser(idHash, Date.now());
      if (request.siteUser !== null) request.siteSession = idHash;
    }
    // Pages differ per user: never cached by a shared cache.
    reply.header('cache-control', 'private, no-cache');
    reply.header('vary', 'Cookie');
  });

  // Forged form posts: refused before the body is read.
  site.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'POST') return;
    const fetchSite = request.headers['sec-fetch-site'];
    const origin = request.headers.origin;
    const crossSite = fetchSite === 'cross-site' || (origin !== undefined && origin !== 'null' && hostOf(origin) !== hostOf(`${request.protocol}://${request.host}`));
    if (crossSite || origin === 'null') {
      reply.code(403).type('text/html; charset=utf-8');
      return reply.send(messagePage(await kit.pageContext(request, reply), 'Refused', 'This form was sent from another site.'));
    }
  });

  site.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'site error');
    const message =
      error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET'
        ? 'This form has expired or did not come from this site. Go back, reload the page and try again.'
        : status === 429
          ? 'Too many attempts: wait a minute and try again.'
          : status >= 500
            ? 'Something went wrong on our side.'
            : error.message;
    reply.code(status).type('text/html; charset=utf-8');
    return messagePage(await kit.pageContext(request, reply), status === 429 ? 'Slow down' : status >= 500 ? 'Error' : 'Refused', message);
  });
});
