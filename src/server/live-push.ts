/**
 * Server-Sent Events to viewers (protocol: src/model/live.ts).
 *
 * Each delta is framed and encoded once, and the same bytes written to every
 * viewer of the race, straight to its socket: the response is close-delimited
 * (HTTP/1.1 `Connection: close`, no chunked framing), so a delta costs one
 * socket write per viewer and no per-viewer encoding (bench/README.md). A
 * viewer that accepts gzip gets the frames as gzip pieces, also encoded once
 * per race and shared (wire.ts, GzipTail).
 *
 * A write never waits for a viewer: each connection's unsent bytes are
 * bounded, and a viewer past the bound is disconnected — its browser
 * reconnects with Last-Event-ID and catches up from the recent deltas, or
 * from a fresh snapshot. So one slow phone never slows the other thousands,
 * and the server's memory stays bounded.
 *
 * Catch-up is bounded before the viewer proves it reads (issue 13, item 3):
 * it costs at most the snapshot's bytes (when the missed deltas weigh more, the
 * snapshot is sent instead), every frame is encoded once and shared, and the
 * missed deltas are written one by one under backpressure — the next only
 * after the socket drained — so a viewer that never reads holds a kernel
 * buffer and one frame, and is dropped after `stallMs`.
 *
 * SSE ids are `<seq>-<epoch>`: the epoch names the race in this store
 * (LiveRace.epoch), so an id from another race, or from before the store was
 * reset, gets a fresh snapshot instead of deltas that do not follow it.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { BusMessage, LiveBus } from '../bus/index.js';
import type { LiveRace, RecentDelta } from './live-race.js';
import { GZIP_HEADER, GzipTail, standalonePiece } from './wire.js';

export interface LivePushOptions {
  /** Unsent bytes allowed per viewer before it is dropped. */
  maxBufferedBytes: number;
  /** A comment line this often keeps proxies from closing quiet streams. */
  heartbeatMs: number;
  /** Reconnection delay suggested to browsers (the SSE `retry:` field). */
  retryMs: number;
  /** A catching-up viewer whose socket has not drained for this long (ms) is dropped. */
  stallMs: number;
}

export const DEFAULT_PUSH: LivePushOptions = { maxBufferedBytes: 1024 * 1024, heartbeatMs: 15_000, retryMs: 2_000, stallMs: 30_000 };

/** What a viewer's connection must offer: a net.Socket, or a fake in tests. */
export interface ViewerSocket {
  write(data: Buffer): boolean;
  readonly writableLength: number;
  end(): void;
  destroy(): void;
  once(event: 'close' | 'drain', listener: () => void): unknown;
  setNoDelay?(noDelay: boolean): unknown;
  setTimeout?(ms: number): unknown;
}

/** A Last-Event-ID as sent back by a viewer: the seq, and the epoch it belongs to (null: an id without one). */
export interface EventId {
  seq: number;
  epoch: string | null;
}

/** Reads a Last-Event-ID (`<seq>-<epoch>`, or a bare `<seq>`); null when it is neither. */
export function parseEventId(text: string | undefined): EventId | null {
  const m = text === undefined ? null : /^(\d{1,15})(?:-([0-9a-f]{1,16}))?$/.exec(text.trim());
  return m === null ? null : { seq: Number(m[1]), epoch: m[2] ?? null };
}

interface Viewer {
  socket: ViewerSocket;
  /**
   * Null: a plain stream. A number: a gzip stream (wire.ts), and how many of
   * the audience's last broadcast bytes this viewer decoded in a row; once it
   * covers the race's gzip tail, it gets the pieces compressed against it.
   */
  gzipRun: number | null;
  /** Seq of the last message written to this viewer. */
  seq: number;
  /** Still being sent the deltas it missed: live deltas reach it through the ring, not the bus. */
  catchingUp: boolean;
}

interface Audience {
  race: LiveRace;
  viewers: Set<Viewer>;
  /** The last broadcast bytes, the dictionary of this race's gzip pieces. */
  tail: GzipTail;
  unsubscribe: () => void;
}

export class LivePush {
  private readonly audiences = new Map<string, Audience>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly options: LivePushOptions;
  /** Encoded frames of kept deltas, shared by every viewer that catches up through them. */
  private readonly deltaFrames = new WeakMap<RecentDelta, Buffer>();
  /** Each frame compressed on its own (wire.ts), for gzip viewers that do not hold the race's tail: computed once per frame. */
  private readonly standalone = new WeakMap<Buffer, Buffer>();
  /** The encoded snapshot frame of each race, at one seq. */
  private readonly snapshotFrames = new Map<string, { seq: number; epoch: string; bytes: Buffer }>();
  /** The `retry:` line every stream starts with. */
  private readonly retryFrame: Buffer;
  /** Viewers disconnected for falling behind, since start. */
  dropped = 0;
  /** Viewers that reconnected and were sent a snapshot instead of the deltas they missed (too many, gone, or another epoch). */
  catchUpSnapshots = 0;

  constructor(
    private readonly bus: LiveBus,
    private readonly log: FastifyBaseLogger,
    options: Partial<LivePushOptions> = {},
  ) {
    this.options = { ...DEFAULT_PUSH, ...options };
    this.retryFrame = Buffer.from(`retry: ${this.options.retryMs}\n\n`);
    this.heartbeat = setInterval(() => this.broadcastAll(Buffer.from(':\n\n')), this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  get viewers(): number {
    let n = 0;
    for (const a of this.audiences.values()) n += a.viewers.size;
    return n;
  }

  /**
   * Starts a stream on a raw socket whose request has been read: the HTTP
   * head, then the deltas after `lastEventId` when they are still kept, of
   * this race's epoch and lighter than a snapshot, else a snapshot; then
   * every delta.
   */
  attach(race: LiveRace, socket: ViewerSocket & { destroyed?: boolean }, lastEventId: EventId | null, extraHeaders = '', encoding: 'gzip' | null = null): void {
    // Gone before the stream started: its 'close' has fired already, so it must not join an audience.
    if (socket.destroyed === true) return;
    socket.setNoDelay?.(true);
    // No idle timeout on a stream: the heartbeat writes every heartbeatMs anyway, so it never fired,
    // and each write re-armed its timer (Node's _unrefTimer): ~3 % of the fan-out's CPU in a profile
    // of bench/live-source.ts. A viewer that stops reading is dropped by maxBufferedBytes / stallMs.
    socket.setTimeout?.(0);
    // extraHeaders: "Name: value\r\n" lines (CORS, request id) set by the route's hooks.
    const gzip = encoding === 'gzip';
    // Vary on both codings: a cache in front must not give the gzip stream to a viewer that did not ask for it, nor the plain one to one that did.
    const head = HTTP_HEAD.slice(0, -2) + extraHeaders + (gzip ? 'Content-Encoding: gzip\r\n' : '') + 'Vary: Accept-Encoding\r\n\r\n';
    // gzip (wire.ts): the head as it is, then one gzip stream whose pieces are shared by the race's viewers.
    if (gzip) socket.write(Buffer.concat([Buffer.from(head), GZIP_HEADER, this.standaloneOf(this.retryFrame)]));
    else socket.write(Buffer.concat([Buffer.from(head), this.retryFrame]));
    const missed = this.missed(race, lastEventId);
    const viewer: Viewer = { socket, gzipRun: gzip ? 0 : null, seq: race.seq, catchingUp: false };
    if (missed === null) {
      if (lastEventId !== null) this.catchUpSnapshots++;
      this.write(viewer, this.snapshotFrame(race));
    } else if (missed.length > 0) {
      viewer.seq = lastEventId!.seq;
      viewer.catchingUp = true;
    }
    const audience = this.audience(race);
    audience.viewers.add(viewer);
    socket.once('close', () => {
      audience.viewers.delete(viewer);
      if (audience.viewers.size === 0 && this.audiences.get(race.id) === audience) {
        audience.unsubscribe();
        this.audiences.delete(race.id);
      }
    });
    if (viewer.catchingUp) this.catchUp(race, audience.viewers, viewer);
  }

  /**
   * Ends every stream (server shutdown) with a last `closing` event, data
   * { reason: "shutdown", retryMs }, and a `retry:` hint: browsers come back
   * after retryMs with Last-Event-ID (the event has no id, so it keeps theirs).
   */
  closeAll(retryMs = this.options.retryMs): void {
    clearInterval(this.heartbeat);
    const closing = Buffer.from(`retry: ${retryMs}\nevent: closing\ndata: ${JSON.stringify({ reason: 'shutdown', retryMs })}\n\n`);
    for (const audience of this.audiences.values()) {
      for (const viewer of audience.viewers) {
        // A gzip stream ends without its trailer, as any stream the network cuts: the browser reconnects either way.
        this.write(viewer, closing);
        viewer.socket.end();
      }
    }
  }

  /** The deltas a reconnecting viewer missed, or null when a snapshot is due (unknown id, other epoch, or cheaper). */
  private missed(race: LiveRace, lastEventId: EventId | null): RecentDelta[] | null {
    if (lastEventId === null || lastEventId.epoch !== race.epoch) return null;
    const missed = race.deltasAfter(lastEventId.seq);
    if (missed === null) return null;
    const snapshotBytes = race.snapshotData().length;
    let bytes = 0;
    for (const delta of missed) {
      bytes += delta.data.length;
      if (bytes > snapshotBytes) return null;
    }
    return missed;
  }

  /** Writes the kept deltas after the viewer's seq one frame at a time, each after the socket drained, until it is live. */
  private catchUp(race: LiveRace, viewers: Set<Viewer>, viewer: Viewer): void {
    while (viewer.seq < race.seq) {
      if (!viewers.has(viewer)) return;
      const next = race.deltaAfter(viewer.seq);
      // Evicted from the ring while this viewer was slow: it reconnects and gets a snapshot.
      if (next === null) return this.drop(viewers, viewer);
      const drained = this.write(viewer, this.deltaFrame(race, next));
      viewer.seq = next.seq;
      if (!drained) {
        const stall = setTimeout(() => this.drop(viewers, viewer), this.options.stallMs);
        stall.unref();
        viewer.socket.once('drain', () => {
          clearTimeout(stall);
          this.catchUp(race, viewers, viewer);
        });
        return;
      }
    }
    viewer.catchingUp = false;
  }

  private deltaFrame(race: LiveRace, delta: RecentDelta): Buffer {
    let bytes = this.deltaFrames.get(delta);
    if (bytes === undefined) {
      bytes = Buffer.from(frame('delta', delta.seq, race.epoch, delta.data));
      this.deltaFrames.set(delta, bytes);
    }
    return bytes;
  }

  private snapshotFrame(race: LiveRace): Buffer {
    const cached = this.snapshotFrames.get(race.id);
    if (cached !== undefined && cached.seq === race.seq && cached.epoch === race.epoch) return cached.bytes;
    const bytes = Buffer.from(frame('snapshot', race.seq, race.epoch, race.snapshotData()));
    this.snapshotFrames.set(race.id, { seq: race.seq, epoch: race.epoch, bytes });
    return bytes;
  }

  private audience(race: LiveRace): Audience {
    let audience = this.audiences.get(race.id);
    if (audience === undefined) {
      const viewers = new Set<Viewer>();
      const tail = new GzipTail();
      audience = { race, viewers, tail, unsubscribe: this.bus.subscribe(race.id, (message) => this.deliver(race, viewers, tail, message)) };
      this.audiences.set(race.id, audience);
    }
    return audience;
  }

  private deliver(race: LiveRace, viewers: Set<Viewer>, tail: GzipTail, message: BusMessage): void {
    const bytes = Buffer.from(frame('delta', message.seq, race.epoch, message.data));
    const limit = this.options.maxBufferedBytes;
    const piece = tail.pieceOf(bytes);
    for (const viewer of viewers) {
      // Catching up: it reads this delta from the ring in its turn. Already sent (caught up through it): nothing to do.
      if (viewer.catchingUp || message.seq <= viewer.seq) {
        if (viewer.gzipRun !== null) viewer.gzipRun = 0;
        continue;
      }
      // A viewer not at the delta's base would apply it to the wrong state.
      if (viewer.seq !== message.previousSeq || viewer.socket.writableLength > limit) {
        this.drop(viewers, viewer);
        continue;
      }
      this.broadcastWrite(viewer, bytes, tail, piece);
      viewer.seq = message.seq;
    }
    tail.push(bytes);
  }

  /** Writes a frame out of the broadcast (snapshot, catch-up, closing): a gzip viewer gets it compressed on its own. */
  private write(viewer: Viewer, bytes: Buffer): boolean {
    if (viewer.gzipRun === null) return viewer.socket.write(bytes);
    // What it decodes now is not the broadcast: its run starts again.
    viewer.gzipRun = 0;
    return viewer.socket.write(this.standaloneOf(bytes));
  }

  /**
   * Writes a broadcast frame: the same bytes to every plain viewer; to every
   * gzip viewer whose run covers the race's tail, the same piece compressed
   * once against that tail; to a gzip viewer still short of it (it joined
   * less than a tail ago), the frame compressed on its own.
   */
  private broadcastWrite(viewer: Viewer, bytes: Buffer, tail: GzipTail, piece: () => Buffer): void {
    if (viewer.gzipRun === null) {
      viewer.socket.write(bytes);
      return;
    }
    viewer.socket.write(viewer.gzipRun >= tail.length ? piece() : this.standaloneOf(bytes));
    viewer.gzipRun = Math.min(tail.capacity, viewer.gzipRun + bytes.length);
  }

  private standaloneOf(bytes: Buffer): Buffer {
    let piece = this.standalone.get(bytes);
    if (piece === undefined) this.standalone.set(bytes, (piece = standalonePiece(bytes)));
    return piece;
  }

  private drop(viewers: Set<Viewer>, viewer: Viewer): void {
    if (!viewers.delete(viewer)) return;
    this.dropped++;
    this.log.debug({ seq: viewer.seq, buffered: viewer.socket.writableLength }, 'live viewer dropped: too far behind');
    viewer.socket.destroy();
  }

  private broadcastAll(bytes: Buffer): void {
    const limit = this.options.maxBufferedBytes;
    for (const audience of this.audiences.values()) {
      const piece = audience.tail.pieceOf(bytes);
      for (const viewer of audience.viewers) {
        if (viewer.socket.writableLength > limit) this.drop(audience.viewers, viewer);
        else if (viewer.catchingUp) this.write(viewer, bytes);
        else this.broadcastWrite(viewer, bytes, audience.tail, piece);
      }
      audience.tail.push(bytes);
    }
  }

}

/** The response head: close-delimited, so frames go to the socket as they are. */
const HTTP_HEAD = [
  'HTTP/1.1 200 OK',
  'Content-Type: text/event-stream; charset=utf-8',
  'Cache-Control: no-cache, no-transform',
  'Connection: close',
  'X-Accel-Buffering: no',
  // The stream skips Fastify's hooks (it writes to the socket): the headers every response carries, by hand.
  'X-Content-Type-Options: nosniff',
  '',
  '',
].join('\r\n');

/** One SSE message; the id is `<seq>-<epoch>` (see above). */
export function frame(event: 'snapshot' | 'delta', seq: number, epoch: string, data: string): string {
  return `id: ${seq}-${epoch}\nevent: ${event}\ndata: ${data}\n\n`;
}
