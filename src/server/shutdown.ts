/**
 * Graceful stop on SIGTERM/SIGINT, in this order:
 *
 * 1. readiness fails (/api/ready answers 503), so a load balancer stops
 *    sending new work;
 * 2. `stopSources` (a replay) stops producing events;
 * 3. the server stops listening; live viewers get a last `closing` event
 *    with a retry hint (live-push.ts closeAll) and their stream ends;
 *    requests in flight (an ingest POST) finish and get their answer, new
 *    ones on kept-alive connections get 503 (Fastify's return503OnClosing);
 * 4. after `deadlineMs`, connections still open are cut;
 * 5. `closeStores` run (the SQLite files are closed cleanly).
 *
 * Resolves with whether everything drained before the deadline; the caller
 * exits 0 either way (the stop was asked for).
 */
import type { FastifyInstance } from 'fastify';

export interface ShutdownOptions {
  /** Longest wait for requests in flight and viewers to go, in ms. */
  deadlineMs: number;
  stopSources?: () => void;
  closeStores: Array<() => Promise<void>>;
}

export const DEFAULT_SHUTDOWN_MS = 10_000;

export async function gracefulShutdown(app: FastifyInstance, options: ShutdownOptions): Promise<boolean> {
  const started = performance.now();
  app.lifecycle.draining = true;
  options.stopSources?.();
  let drained = true;
  const timer = setTimeout(() => {
    drained = false;
    app.log.warn({ deadlineMs: options.deadlineMs }, 'shutdown deadline reached: cutting the connections still open');
    app.server.closeAllConnections();
  }, options.deadlineMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
  for (const close of options.closeStores) await close();
  app.log.info({ ms: Math.round(performance.now() - started), drained }, 'stopped');
  return drained;
}
