/**
 * Serves an RMonitor capture on a TCP port at its recorded pace, as an
 * Orbits scoreboard output would (`sarthe feed rmonitor FILE --port N`): the
 * end-to-end test double of `serve --source rmonitor://…`, and a rehearsal
 * tool for an organiser.
 *
 * Like the timing software, it pushes lines to every connected client and
 * takes nothing back (spec §1). The capture's clock starts when the first
 * client connects and runs only while at least one is connected, so a client
 * that drops and reconnects misses nothing but the lines in flight. Lines
 * are sent as recorded, with CR LF (spec §2), the relay's `##` receive-time
 * framing included: the decoder reads it as a relay stream's framing (it
 * tells a session spliced from two days), so a capture played live decodes
 * exactly as the file does.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { CapturePacket } from './capture.js';

export interface FeedServerOptions {
  packets: readonly CapturePacket[];
  /** Capture ms per wall ms (1 = recorded pace). */
  speed: number;
  /** Longest wait between two packets in wall ms (skips the long gaps between excerpts); default none. */
  maxGapMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Ends every connection once this many packets are sent, as a dropped link would (rehearses a reconnection). */
  dropAfterPackets?: number;
}

export interface FeedProgress {
  packets: number;
  lines: number;
  clients: number;
}

export class RMonitorFeedServer {
  private readonly server: Server;
  private readonly clients = new Set<Socket>();
  private next = 0;
  private linesSent = 0;
  private running = false;
  private closed = false;
  private waitingForClient: (() => void) | null = null;
  private resolveDone!: (progress: FeedProgress) => void;
  /** Resolves when every packet has been sent (the connections are then ended). */
  readonly done: Promise<FeedProgress>;

  constructor(private readonly options: FeedServerOptions) {
    if (!(options.speed > 0)) throw new Error(`feed speed must be above 0, got ${options.speed}`);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Listens on host:port (0 = any free port) and returns the port. */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  progress(): FeedProgress {
    return { packets: this.next, lines: this.linesSent, clients: this.clients.size };
  }

  /**
   * Ends every client connection now (after what was written reaches it),
   * as a dropped link would; the capture waits for a client to reconnect.
   */
  dropClients(): void {
    for (const socket of this.clients) socket.end();
    this.clients.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waitingForClient?.();
    for (const socket of this.clients) socket.destroy();
    this.clients.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.clients.delete(socket));
    if (this.next >= this.options.packets.length && this.running) {
      socket.end();
      return;
    }
    this.clients.add(socket);
    this.options.log?.('feed client connected', { remote: `${socket.remoteAddress}:${socket.remotePort}`, clients: this.clients.size });
    this.waitingForClient?.();
    if (!this.running) {
      this.running = true;
      void this.play();
    }
  }

  private async play(): Promise<void> {
    const { packets, speed, maxGapMs = Infinity } = this.options;
    let wallStart = performance.now();
    let captureStart = packets[0]?.atMs ?? 0;
    while (this.next < packets.length && !this.closed) {
      if (this.clients.size === 0) {
        // Nobody listening: the capture's clock waits (the rehearsal resumes where it was).
        await new Promise<void>((resolve) => (this.waitingForClient = resolve));
        this.waitingForClient = null;
        wallStart = performance.now();
        captureStart = packets[this.next]!.atMs;
        continue;
      }
      const packet = packets[this.next]!;
      const prev = this.next > 0 ? packets[this.next - 1]!.atMs : packet.atMs;
      if (packet.atMs - prev > maxGapMs * speed) {
        // Skip a long silence: re-anchor the clock just before this packet.
        captureStart += packet.atMs - prev - maxGapMs * speed;
      }
      const dueWall = wallStart + (packet.atMs - captureStart) / speed;
      const wait = dueWall - performance.now();
      if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
      if (this.clients.size === 0 || this.closed) continue;
      const lines = packet.lines;
      if (lines.length > 0) {
        const bytes = Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
        for (const socket of this.clients) socket.write(bytes);
      }
      this.linesSent += lines.length;
      this.next++;
      if (this.next === this.options.dropAfterPackets) {
        this.options.log?.('feed dropping its connections', { packets: this.next });
        this.dropClients();
      }
      // Let sockets drain now and then when no wait paces us (high speeds).
      if (wait < 1 && this.next % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const progress = this.progress();
    this.options.log?.('feed finished', { ...progress });
    for (const socket of this.clients) socket.end();
    this.resolveDone(progress);
  }
}
