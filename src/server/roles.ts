/**
 * The roles of `sarthe serve` (`--role`, SARTHE_ROLE; docs/architecture.md,
 * "Roles"), around the bus shared by processes (`--bus`, SARTHE_BUS):
 *
 * - `all` (default) and `ingest`: sources and the ingest API write the store;
 *   every commit is shared on the bus with its events (RaceHub.ingest), and at
 *   start each race's head is announced, so an edge behind a commit stored
 *   but never shared (a crash between the two) reads it from the store.
 * - `edge`: follows every race on the bus from the moment it starts, loads
 *   the store, then applies what it followed (RaceHub.follow): ready only
 *   once caught up. Every `catchUpMs` it compares its races with the store,
 *   the safety net for what no message will ever bring (a race whose ingest
 *   process died for good after storing).
 *
 * `--deployment` (SARTHE_DEPLOYMENT) names the stream and subjects on the bus
 * (bus/nats deploymentNames): processes of one deployment share them, other
 * deployments on the same NATS server are not seen. An edge also refuses a
 * race its own store does not hold, whatever the bus brings (RaceHub.follow).
 *
 * Without a bus, `all` is today's single process and nothing here runs.
 */
import type { FastifyInstance } from 'fastify';
import type { BusFollow, SharedBus } from '../bus/index.js';
import { DEFAULT_DEPLOYMENT, NatsBus } from '../bus/nats/index.js';
import type { Role } from '../cli/config.js';

export interface RoleRun {
  shared: SharedBus | null;
  /** Stops following and closes the bus (after flushing what is queued, briefly). */
  stop(): Promise<void>;
}

/**
 * Opens the bus and wires the role; call after buildServer (with
 * loadAfterListen) and before listen, so an edge follows before it reads the
 * store: every commit is then either in what it loads or in what it follows.
 */
export async function startRole(app: FastifyInstance, role: Role, busUrl: string | undefined, catchUpMs: number, deployment = DEFAULT_DEPLOYMENT): Promise<RoleRun> {
  if (busUrl === undefined) return { shared: null, stop: async () => undefined };
  const { hub, loaded } = app.sarthe;
  const shared = await NatsBus.open(busUrl, { deployment, log: app.log });
  app.log.info({ bus: shared.name, role, deployment }, 'bus open');
  if (role !== 'edge') {
    hub.shared = shared;
    void loaded.then(() => hub.announceHeads(), () => undefined);
    return { shared, stop: () => shared.close() };
  }

  let caughtUp = false;
  app.lifecycle.checks.set('edge', () => (caughtUp ? null : 'catching up from the store and the bus'));
  hub.holdFollowing(loaded);
  let follow: BusFollow | null = null;
  try {
    follow = await shared.follow((message) => void hub.follow(message).catch(() => undefined));
  } catch (error) {
    await shared.close();
    throw new Error(`bus ${busUrl}: cannot follow the stream (${(error as Error).message})`);
  }
  let timer: NodeJS.Timeout | null = null;
  void loaded.then(
    async () => {
      // Queued behind what was followed while loading: once it returns, the edge holds everything stored so far.
      await hub.catchUpFromStore();
      caughtUp = true;
      app.log.info({ races: hub.list().length, filledFromStore: hub.filledFromStore }, 'edge caught up: following the bus');
      if (catchUpMs > 0) {
        timer = setInterval(() => void hub.catchUpFromStore().catch(() => undefined), catchUpMs);
        timer.unref();
      }
    },
    () => undefined,
  );
  return {
    shared,
    stop: async () => {
      if (timer !== null) clearInterval(timer);
      await follow?.stop();
      await shared.close();
    },
  };
}
