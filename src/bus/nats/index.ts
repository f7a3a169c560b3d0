/**
 * The shared bus on NATS JetStream (`sarthe serve --bus nats://127.0.0.1:4222`,
 * or SARTHE_BUS): the ingest process shares every commit, each edge follows
 * every race.
 *
 * One stream per deployment, `<DEPLOYMENT>_LIVE`, with a subject per race
 * (`<deployment>.live.<race>`; `--deployment` / SARTHE_DEPLOYMENT, default
 * `sarthe`: SARTHE_LIVE and `sarthe.live.<race>`). Deployment names and race
 * ids are lowercase letters, digits, `-` and `_` (DEPLOYMENT_PATTERN,
 * RACE_ID_PATTERN): valid subject tokens and stream names, and no two
 * deployments share a stream or a subject, so staging and production (or two
 * test runs) on one NATS server never see each other's races.
 *
 * One stream rather than a stream per race: a race is created by its first ingested
 * batch, and creating a stream there would put a JetStream admin call (and,
 * clustered, a Raft group) on the ingest path of every new race; one stream
 * is created once at start, carries one retention policy, and an edge follows
 * every race, new ones included, with one ordered consumer over
 * `<deployment>.live.>`. A per-race reader filters on its subject.
 *
 * Each message is one commit: `{race, seq, previousSeq, epoch, events, data}`
 * as JSON, with the JetStream message id `<race>:<seq>` so that a commit
 * shared twice (a retry, an ingest restart announcing its head) is stored
 * once within the duplicate window; a status-only delta (feed stalled/live)
 * has the id `<race>:<seq>:feed:<hash of its data>`.
 *
 * Retention, sized for a 24-hour race (RETENTION below). A follower only
 * needs the stream from the moment it started following: it catches up on
 * everything before from the store. So the stream holds a window, not the
 * archive, and that window must outlast the longest race plus the time an
 * edge may be cut off:
 * - max age 48 h: a 24-hour race, and as long again for an edge that was
 *   cut off during it to resume from the stream rather than the store;
 * - max bytes 1 GiB. A live 24-hour race commits at most about once a second
 *   (a timing feed's passings batched by the ingest path; the Le Mans 2019
 *   replay makes 5,160 commits of 20,484 events): 86,400 messages. A message
 *   carries its events (≈ 200 B each, ≈ 4 on average) and its delta
 *   (≈ 1.2 KB: 534 KB of deltas for two race hours at 240× replay, issue 14),
 *   ≈ 2 KB in all: 86,400 × 2 KB ≈ 173 MB per 24-hour race. 1 GiB holds five
 *   such races at once with room to spare; past it the oldest messages go
 *   (discard old), which a follower would have needed only after 48 h away;
 * - duplicate window 2 min (JetStream's default): retries happen within
 *   seconds, and a duplicate past it is skipped by the follower (seq ≤ its own).
 *
 * Sharing never waits for a bus that is down: messages queue (at most
 * MAX_PENDING, the oldest dropped first: a follower fills a gap from the
 * store) and are retried with backoff (100 ms doubling to 5 s) until
 * JetStream acknowledges them; the stream is created again if the server
 * lost it. The client reconnects forever (every 250 ms).
 */
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import {
  connect,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  nanos,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  type StreamConfig,
} from 'nats';
import { DEFAULT_DEPLOYMENT, DEPLOYMENT_PATTERN, type BusFollow, type BusListener, type BusMessage, type SharedBus } from '../index.js';

export { DEFAULT_DEPLOYMENT, DEPLOYMENT_PATTERN };

/** The stream's limits (see the arithmetic above). */
export const RETENTION = {
  maxAgeMs: 48 * 3600 * 1000,
  maxBytes: 1024 * 1024 * 1024,
  duplicateWindowMs: 2 * 60 * 1000,
} as const;

/** Messages waiting for JetStream at most; past it the oldest is dropped (its race's followers read the store). */
export const MAX_PENDING = 10_000;
/** Messages published at once, in order, before waiting for their acknowledgements. */
const PUBLISH_WINDOW = 64;
/** NATS's default max_payload (bytes), when the server's INFO has not said. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** Room left under max_payload for the JetStream headers (message id) of a publish (bytes). */
const PAYLOAD_HEADROOM = 1024;

export interface BusLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface NatsBusOptions {
  /** The deployment this process belongs to (DEPLOYMENT_PATTERN; default DEFAULT_DEPLOYMENT): names the stream and the subjects. */
  deployment?: string;
  log?: BusLog;
}

/** The stream and subject prefix of a deployment: `prod` → PROD_LIVE, `prod.live` (a race's subject: `prod.live.<race>`). Throws on a name DEPLOYMENT_PATTERN refuses. */
export function deploymentNames(deployment: string): { stream: string; subjectPrefix: string } {
  if (!DEPLOYMENT_PATTERN.test(deployment)) throw new Error(`deployment ${JSON.stringify(deployment)}: expected lowercase letters, digits, - and _ (1–32 characters)`);
  return { stream: `${deployment.toUpperCase()}_LIVE`, subjectPrefix: `${deployment}.live` };
}

const quiet: BusLog = { info: () => undefined, warn: () => undefined };

interface Pending {
  message: BusMessage;
  resolve: () => void;
}

export class NatsBus implements SharedBus {
  readonly name: string;
  /** Messages dropped from a full queue while JetStream was unreachable, since start. */
  dropped = 0;
  private readonly js: JetStreamClient;
  readonly stream: string;
  readonly deployment: string;
  private readonly prefix: string;
  private readonly log: BusLog;
  private readonly outbox: Pending[] = [];
  private pumping: Promise<void> | null = null;
  private readonly follows = new Set<ConsumerMessages>();
  private closed = false;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    servers: string[],
    options: NatsBusOptions,
  ) {
    this.js = nc.jetstream();
    this.deployment = options.deployment ?? DEFAULT_DEPLOYMENT;
    const names = deploymentNames(this.deployment);
    this.stream = names.stream;
    this.prefix = names.subjectPrefix;
    this.log = options.log ?? quiet;
    this.name = `${servers.map((s) => s.replace(/\/\/[^@/]*@/, '//')).join(',')} stream ${this.stream}`;
  }

  /**
   * Connects (`url`: `nats://host:port`, several separated by commas) and
   * creates or updates the stream. Throws when no server answers or
   * JetStream is not enabled, naming the address.
   */
  static async open(url: string, options: NatsBusOptions = {}): Promise<NatsBus> {
    deploymentNames(options.deployment ?? DEFAULT_DEPLOYMENT);
    const servers = url.split(',').map((s) => s.trim()).filter((s) => s !== '');
    let nc: NatsConnection;
    try {
      nc = await connect({ servers, name: 'sarthe', maxReconnectAttempts: -1, reconnectTimeWait: 250, timeout: 5000 });
    } catch (error) {
      throw new Error(`bus ${url}: cannot connect to NATS (${(error as Error).message})`);
    }
    let jsm: JetStreamManager;
    try {
      jsm = await nc.jetstreamManager({ timeout: 5000 });
    } catch (error) {
      await nc.close();
      throw new Error(`bus ${url}: JetStream is not available (${(error as Error).message}); start nats-server with -js`);
    }
    const bus = new NatsBus(nc, jsm, servers, options);
    try {
      await bus.ensureStream();
    } catch (error) {
      await nc.close();
      throw new Error(`bus ${url}: cannot create or update the stream ${bus.stream} (${(error as Error).message})`);
    }
    bus.watch();
    return bus;
  }

  /** The subject of one race's messages. */
  subject(race: string): string {
    return `${this.prefix}.${race}`;
  }

  private streamConfig(): Partial<StreamConfig> & { name: string } {
    return {
      name: this.stream,
      subjects: [`${this.prefix}.*`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(RETENTION.maxAgeMs),
      max_bytes: RETENTION.maxBytes,
      duplicate_window: nanos(RETENTION.duplicateWindowMs),
    };
  }

  /** Creates the stream, or brings an existing one to this configuration. */
  async ensureStream(): Promise<void> {
    try {
      await this.jsm.streams.add(this.streamConfig());
    } catch (error) {
      if (!/already in use/i.test((error as Error).message)) throw error;
      await this.jsm.streams.update(this.stream, this.streamConfig());
    }
  }

  share(message: BusMessage): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.outbox.push({ message, resolve });
      if (this.outbox.length > MAX_PENDING) {
        this.outbox.shift()!.resolve();
        if (this.dropped++ === 0) this.log.warn({ bus: this.name, pending: MAX_PENDING }, 'bus unreachable for long: dropping the oldest queued messages (edges fill the gap from the store)');
      }
      this.pumping ??= this.pump().finally(() => (this.pumping = null));
    });
  }

  /**
   * The bytes to publish for a message. A commit larger than the server's
   * max_payload (1 MB by default; a whole race imported in one POST is
   * ≈ 10 MB) could never be published, and retried it would hold back every
   * message after it: it is published as its head only (no events, no
   * delta), and each follower reads that commit from the store, the truth,
   * as it does for any gap (races.ts follow).
   */
  private payload(message: BusMessage): Uint8Array {
    const bytes = encodeMessage(message);
    const limit = this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
    if (bytes.length <= limit - PAYLOAD_HEADROOM) return bytes;
    this.log.info({ bus: this.name, race: message.race, seq: message.seq, bytes: bytes.length, maxPayload: limit }, 'commit larger than one bus message: announced as its head, edges read it from the store');
    const { race, seq, previousSeq, epoch } = message;
    return encodeMessage({ race, seq, previousSeq, epoch, data: '' });
  }

  /** Publishes the queue in order, PUBLISH_WINDOW at a time, retrying what JetStream did not acknowledge. */
  private async pump(): Promise<void> {
    let failures = 0;
    while (this.outbox.length > 0 && !this.closed) {
      const window = this.outbox.slice(0, PUBLISH_WINDOW);
      const results = await Promise.allSettled(
        window.map((p) => this.js.publish(this.subject(p.message.race), this.payload(p.message), { msgID: messageId(p.message), timeout: 2000 })),
      );
      let firstError: unknown = null;
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') {
          const at = this.outbox.indexOf(window[i]!);
          if (at >= 0) this.outbox.splice(at, 1);
          window[i]!.resolve();
        } else firstError ??= result.reason;
      });
      if (firstError === null) {
        if (failures > 0) this.log.info({ bus: this.name, failures }, 'bus publishing again');
        failures = 0;
        continue;
      }
      if (failures++ === 0) this.log.warn({ bus: this.name, err: String(firstError), pending: this.outbox.length }, 'bus publish failed: retrying until it is back');
      // A server restarted without its store has no stream: make it again.
      if (/no responders|stream not found|503/i.test(String(firstError))) await this.ensureStream().catch(() => undefined);
      await delay(Math.min(5000, 100 * 2 ** Math.min(failures, 6)));
    }
  }

  async follow(listener: BusListener): Promise<BusFollow> {
    const info = await this.jsm.streams.info(this.stream);
    // Ordered consumer: JetStream delivers in stream order, and the client
    // recreates the consumer after the last stream sequence it delivered
    // whenever it sees a gap or misses heartbeats (a reconnection, a server restart).
    const consumer = await this.js.consumers.get(this.stream, { filterSubjects: `${this.prefix}.>`, opt_start_seq: info.state.last_seq + 1 });
    const messages = await consumer.consume({ max_messages: 1000, expires: 5000 });
    this.follows.add(messages);
    void (async () => {
      for await (const status of await messages.status()) {
        if (status.type === 'ordered_consumer_recreated' || status.type === 'reset') this.log.info({ bus: this.name, event: status.type }, 'bus follower resuming from the stream');
      }
    })().catch(() => undefined);
    void (async () => {
      for await (const m of messages) {
        let message: BusMessage;
        try {
          message = decodeMessage(m.data);
        } catch (error) {
          this.log.warn({ bus: this.name, subject: m.subject, streamSeq: m.seq, err: (error as Error).message }, 'bus message skipped: not a Sarthe message');
          continue;
        }
        listener(message);
      }
    })().catch((error: unknown) => this.log.warn({ bus: this.name, err: String(error) }, 'bus follower stopped'));
    return {
      stop: async () => {
        this.follows.delete(messages);
        messages.stop();
        await messages.closed().catch(() => undefined);
      },
    };
  }

  /** Logs the connection's ups and downs. */
  private watch(): void {
    void (async () => {
      for await (const s of this.nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnect') this.log.info({ bus: this.name, event: s.type, server: String(s.data) }, `bus ${s.type}`);
      }
    })().catch(() => undefined);
  }

  /** Waits up to `flushMs` for queued messages to be acknowledged, then disconnects. */
  async close(flushMs = 2000): Promise<void> {
    if (this.closed) return;
    if (this.pumping !== null) await Promise.race([this.pumping, delay(flushMs)]);
    this.closed = true;
    for (const messages of this.follows) messages.stop();
    this.follows.clear();
    for (const pending of this.outbox.splice(0)) pending.resolve();
    await this.nc.close();
  }
}

/** The JetStream message id: one per commit, so a commit shared twice is stored once. */
export function messageId(message: BusMessage): string {
  if (message.seq !== message.previousSeq || message.events !== undefined) return `${message.race}:${message.seq}`;
  return `${message.race}:${message.seq}:feed:${createHash('sha256').update(message.data).digest('hex').slice(0, 16)}`;
}

export function encodeMessage(message: BusMessage): Uint8Array {
  const { race, seq, previousSeq, epoch, events, data } = message;
  return Buffer.from(JSON.stringify({ race, seq, previousSeq, epoch, events, data }));
}

/** Reads a message; throws naming the first field that is not what a Sarthe publisher writes. */
export function decodeMessage(bytes: Uint8Array): BusMessage {
  const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  const { race, seq, previousSeq, epoch, events, data } = value;
  if (typeof race !== 'string') throw new Error('race: expected a string');
  if (!Number.isInteger(seq) || (seq as number) < 0) throw new Error('seq: expected a whole number');
  if (!Number.isInteger(previousSeq) || (previousSeq as number) < 0) throw new Error('previousSeq: expected a whole number');
  if (typeof data !== 'string') throw new Error('data: expected a string');
  if (epoch !== undefined && typeof epoch !== 'string') throw new Error('epoch: expected a string');
  if (events !== undefined && !Array.isArray(events)) throw new Error('events: expected an array');
  return {
    race,
    seq: seq as number,
    previousSeq: previousSeq as number,
    data,
    ...(epoch === undefined ? {} : { epoch }),
    // The ingest process validated and stored them; a follower applies them as the store would give them.
    ...(events === undefined ? {} : { events: events as BusMessage['events'] }),
  };
}
