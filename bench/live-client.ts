/**
 * One bench client process: holds `count` SSE viewers of one race on raw TCP
 * sockets and notes when each delta arrives (Date.now(), the same clock as
 * the server's commit time on this machine). Controlled by bench/live.ts over
 * IPC. Deliberately minimal (no JSON parsing of the payload) so the clients
 * cost as little CPU as possible next to the server on a 2-core machine.
 *
 *   parent → { type: 'open', ports, race, count, rampPerSecond, gzip? }   (viewers round-robin over ports: one per edge;
 *            gzip: they ask for a compressed stream and decode it, at some CPU cost here)
 *   child  → { type: 'opened', connected, snapshots }
 *   parent → { type: 'report', commits: [[seq, committedAtMs], …] }
 *   child  → { type: 'report', histogram, held, … } and exits
 */
import { connect, type Socket } from 'node:net';
import { createGunzip } from 'node:zlib';

interface Viewer {
  socket: Socket;
  carry: string;
  snapshot: boolean;
  lastSeq: number;
  open: boolean;
}

const HISTOGRAM_MS = 20_000;
/** Arrival times per seq, one entry per viewer that received it. */
const arrivals = new Map<number, number[]>();
const viewers: Viewer[] = [];
let errors = 0;
let closedByServer = 0;

// A frame is written in one piece, so "id: N-EPOCH\nevent: delta" never splits across writes;
// the carry handles a TCP segment boundary inside it.
const FRAME = /id: (\d+)-[0-9a-f]+\nevent: (delta|snapshot)\n/g;

function open(port: number, race: string, gzip: boolean): Viewer {
  const socket = connect({ port, host: '127.0.0.1' });
  const viewer: Viewer = { socket, carry: '', snapshot: false, lastSeq: -1, open: true };
  socket.on('connect', () => {
    socket.write(`GET /api/races/${race}/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n${gzip ? 'Accept-Encoding: gzip\r\n' : ''}\r\n`);
  });
  const read = (chunk: string) => {
    const now = Date.now();
    const text = viewer.carry + chunk;
    FRAME.lastIndex = 0;
    let m: RegExpExecArray | null;
    let end = 0;
    while ((m = FRAME.exec(text)) !== null) {
      const seq = Number(m[1]);
      if (m[2] === 'snapshot') viewer.snapshot = true;
      else {
        let list = arrivals.get(seq);
        if (list === undefined) arrivals.set(seq, (list = []));
        list.push(now);
      }
      viewer.lastSeq = seq;
      end = FRAME.lastIndex;
    }
    // Keep a tail long enough to hold a split "id: …\nevent: …\n" header.
    viewer.carry = text.slice(Math.max(end, text.length - 64));
  };
  if (!gzip) {
    socket.setEncoding('utf8');
    socket.on('data', read);
  } else {
    // The head is plain, the body one gzip stream flushed per message (src/server/wire.ts).
    const gunzip = createGunzip();
    gunzip.setEncoding('utf8');
    gunzip.on('data', read);
    gunzip.on('error', () => errors++);
    let head: Buffer | null = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      if (head === null) return void gunzip.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!/content-encoding: gzip/i.test(head.subarray(0, end).toString('latin1'))) errors++;
      gunzip.write(head.subarray(end + 4));
      head = null;
    });
    socket.on('close', () => gunzip.destroy());
  }
  socket.on('error', () => {
    errors++;
  });
  socket.on('close', () => {
    if (viewer.open) closedByServer++;
    viewer.open = false;
  });
  return viewer;
}

process.on('message', async (message: { type: string; ports?: number[]; race?: string; count?: number; rampPerSecond?: number; gzip?: boolean; commits?: Array<[number, number]> }) => {
  if (message.type === 'open') {
    const { ports, race, count, rampPerSecond, gzip } = message as { ports: number[]; race: string; count: number; rampPerSecond: number; gzip?: boolean };
    const step = Math.max(1, Math.round(rampPerSecond / 20));
    for (let i = 0; i < count; i += step) {
      for (let j = i; j < Math.min(count, i + step); j++) viewers.push(open(ports[j % ports.length]!, race, gzip === true));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Wait (bounded) for every snapshot.
    const until = Date.now() + 60_000;
    while (viewers.some((v) => v.open && !v.snapshot) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    process.send!({ type: 'opened', connected: viewers.filter((v) => v.open).length, snapshots: viewers.filter((v) => v.snapshot).length, errors });
  } else if (message.type === 'report') {
    const committed = new Map(message.commits ?? []);
    const histogram = new Array<number>(HISTOGRAM_MS + 1).fill(0);
    let samples = 0;
    let unmatched = 0;
    for (const [seq, times] of arrivals) {
      const at = committed.get(seq);
      if (at === undefined) {
        unmatched += times.length;
        continue;
      }
      for (const t of times) {
        histogram[Math.min(HISTOGRAM_MS, Math.max(0, t - at))]!++;
        samples++;
      }
    }
    const lastSeq = Math.max(...(message.commits ?? [[0, 0]]).map(([s]) => s));
    const held = viewers.filter((v) => v.open && v.lastSeq === lastSeq).length;
    process.send!({ type: 'report', histogram, samples, unmatched, held, open: viewers.filter((v) => v.open).length, errors, closedByServer });
    for (const v of viewers) {
      v.open = false;
      v.socket.destroy();
    }
    setTimeout(() => process.exit(0), 100);
  }
});
