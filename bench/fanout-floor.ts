/**
 * `node dist/bench/fanout-floor.js [--rounds 150] [--sockets 1000]`: what
 * writing one small frame (274 bytes, an RMonitor lap's delta) to 1,000
 * loopback sockets costs on this machine now, with no Sarthe code: the floor
 * under the live push's fan-out (bench/README.md, "Live feed latency").
 *
 * Three ways, rounds interleaved so that the machine's load hits them alike,
 * each timed from the parent's IPC "go" to the last writer's last
 * `socket.write` returning (wall clock, ms):
 * - `oneProcess`: one writer process, all sockets (what one server does);
 * - `twoProcesses`: two writer processes, half the sockets each, at once
 *   (the fan-out spread over both cores);
 * - `oneProcessReaderPaused`: as `oneProcess`, the reading side paused, so
 *   the receiver is never woken (what loopback adds to each send).
 * The readers live in one more process, reading and discarding.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { percentile, round } from './stats.js';

const { values: args, positionals } = parseArgs({
  options: { rounds: { type: 'string', default: '150' }, sockets: { type: 'string', default: '1000' } },
  allowPositionals: true,
});
const FRAME = Buffer.alloc(274, 0x61);
const now = () => performance.timeOrigin + performance.now();

if (positionals[0] === 'writer') writer(Number(positionals[1]));
else if (positionals[0] === 'reader') await reader(positionals.slice(1));
else await main();

/** A writer: accepts `n` sockets (Nagle off, as the live push sets it), writes FRAME to each on "go". */
function writer(n: number): void {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    sockets.push(socket);
    if (sockets.length === n) process.send?.({ ready: true });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
  });
  process.on('message', (message) => {
    if (message === 'go') {
      for (const socket of sockets) socket.write(FRAME);
      process.send?.({ done: now() });
    } else if (message === 'stop') process.exit(0);
  });
}

/** The readers: `port:count:mode` each, mode `read` (read and discard) or `paused` (never read). */
async function reader(specs: string[]): Promise<void> {
  for (const spec of specs) {
    const [port, count, mode] = spec.split(':');
    for (let i = 0; i < Number(count); i++) {
      const socket = connect({ host: '127.0.0.1', port: Number(port) });
      socket.on('error', () => undefined);
      if (mode === 'read') socket.resume();
      if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  process.on('message', (message) => message === 'stop' && process.exit(0));
}

interface Writer {
  child: ChildProcess;
  port: number;
  sockets: number;
  mode: 'read' | 'paused';
}

async function main(): Promise<void> {
  const ROUNDS = Math.min(Number(args.rounds), 1000);
  const SOCKETS = Math.min(Number(args.sockets), 5000);
  const self = fileURLToPath(import.meta.url);
  const start = (sockets: number, mode: Writer['mode']) =>
    new Promise<Writer>((resolve) => {
      const child = fork(self, ['writer', String(sockets)]);
      child.once('message', (m) => resolve({ child, port: (m as { port: number }).port, sockets, mode }));
    });
  const groups = {
    oneProcess: [await start(SOCKETS, 'read')],
    twoProcesses: [await start(SOCKETS / 2, 'read'), await start(SOCKETS / 2, 'read')],
    oneProcessReaderPaused: [await start(SOCKETS, 'paused')],
  };
  const writers = Object.values(groups).flat();
  const ready = writers.map((w) => new Promise((resolve) => w.child.once('message', resolve)));
  const readers = fork(self, ['reader', ...writers.map((w) => `${w.port}:${w.sockets}:${w.mode}`)]);
  await Promise.all(ready);
  const loadStart = loadavg()[0]!;

  const fanOut = (group: Writer[]) =>
    new Promise<number>((resolve) => {
      let left = group.length;
      let last = 0;
      const t0 = now();
      for (const w of group) {
        w.child.once('message', (m) => {
          last = Math.max(last, (m as { done: number }).done);
          if (--left === 0) resolve(last - t0);
        });
        w.child.send('go');
      }
    });
  const times: Record<keyof typeof groups, number[]> = { oneProcess: [], twoProcesses: [], oneProcessReaderPaused: [] };
  for (let i = 0; i < ROUNDS; i++) {
    for (const name of Object.keys(groups) as Array<keyof typeof groups>) {
      times[name].push(await fanOut(groups[name]));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  const summary = (v: number[]) => ({ p50Ms: round(percentile(v, 50)), p99Ms: round(percentile(v, 99)), usPerWriteP50: round((percentile(v, 50) * 1000) / SOCKETS, 1) });
  process.stdout.write(
    `${JSON.stringify({
      bench: `fan-out floor: one ${FRAME.length}-byte frame to ${SOCKETS} loopback sockets, no Sarthe code`,
      rounds: ROUNDS,
      oneProcess: summary(times.oneProcess),
      twoProcesses: summary(times.twoProcesses),
      oneProcessReaderPaused: summary(times.oneProcessReaderPaused),
      twoVsOneP50: round(percentile(times.twoProcesses, 50) / percentile(times.oneProcess, 50)),
      loadavg1m: { start: round(loadStart), end: round(loadavg()[0]!) },
    })}\n`,
  );
  for (const w of writers) w.child.send('stop');
  readers.send('stop');
}
