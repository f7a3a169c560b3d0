/**
 * `npm run bench:source`: latency of the live-feed path, from an RMonitor
 * line arriving on the source's socket to the SSE delta leaving the server
 * for every viewer, with `--viewers` (default 1,000) connected to the race;
 * and, in the same run and interleaved lap by lap, the same figure for the
 * JSON ingest path (POST /api/races/:race/events) as the baseline.
 *
 * - Start: the bench writes a `$J` + `$G` pair (one lap) to the TCP feed the
 *   server's RMonitorTcpSource is connected to (loopback), or sends the POST.
 * - End: a bus listener subscribed after the live push, so it runs once the
 *   push has written the delta to all viewers' sockets (the memory bus calls
 *   listeners in order, synchronously): the delta has left the server.
 * - The viewers live in a child process that reads and discards, so their
 *   reading does not share the server's event loop.
 * - The store is a temporary SQLite file with synchronous=FULL (serve's
 *   default): every lap is fsynced before its delta, on both paths.
 * - The floor, also interleaved lap by lap: the same delta frame written by
 *   a bare loop to `--viewers` plain loopback sockets of this process (no
 *   Sarthe code), read by the same child. Fan-out ÷ floor is what the live
 *   push adds to the socket writes themselves.
 *
 *   node dist/bench/live-source.js [--viewers 1000] [--laps 300] [--synchronous full|normal]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { Agent, request as httpRequest } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MemoryBus } from '../src/bus/memory/index.js';
import { buildServer } from '../src/server/app.js';
import { frame } from '../src/server/live-push.js';
import { runLiveSource } from '../src/server/live-source.js';
import { RMonitorTcpSource } from '../src/sources/rmonitor/client.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { percentile, round } from './stats.js';

const { values: args } = parseArgs({
  options: {
    viewers: { type: 'string', default: '1000' },
    laps: { type: 'string', default: '300' },
    child: { type: 'string' },
    races: { type: 'string' },
    synchronous: { type: 'string', default: 'full' },
    'floor-port': { type: 'string' },
  },
});

const TOKEN = 'bench-token';
const CARS = 30;

if (args.child !== undefined) await viewersChild(args.child, (args.races ?? '').split(','), Number(args.viewers), Number(args['floor-port']));
else await main();

/**
 * Child: `viewers` SSE connections per race, reading and discarding; says "ready" once each has its
 * snapshot. Then `viewers` bare connections to the floor port, read and discarded too.
 */
async function viewersChild(base: string, races: string[], viewers: number, floorPort: number): Promise<void> {
  const url = new URL(base);
  let ready = 0;
  const sockets: Socket[] = [];
  // A viewer the server refused or closed says why, instead of the bench waiting for ever.
  const refused = new Map<string, number>();
  const refuse = (why: string) => refused.set(why, (refused.get(why) ?? 0) + 1);
  setTimeout(() => {
    if (ready < races.length * viewers) {
      process.stderr.write(`only ${ready} of ${races.length * viewers} viewers got a snapshot; refused: ${JSON.stringify(Object.fromEntries(refused))}\n`);
      process.exit(1);
    }
  }, 60_000).unref();
  // A connection reset before its snapshot (the accept queue overflowed on a loaded machine: 4 of
  // 2,000 once, and the bench died) is opened again, up to 5 times, as a browser would.
  const open = (race: string, attempt: number): void => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    let got = false;
    let first = true;
    socket.on('end', () => !got && refuse('closed before its snapshot'));
    socket.on('data', (chunk: Buffer) => {
      if (first) {
        first = false;
        const status = chunk.subarray(0, chunk.indexOf(13)).toString();
        if (!status.startsWith('HTTP/1.1 200')) refuse(status);
      }
      if (!got && chunk.includes('event: snapshot')) {
        got = true;
        if (++ready === races.length * viewers) void openFloor();
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!got && attempt < 5) setTimeout(() => open(race, attempt + 1), 100);
      else refuse(error.code ?? error.message);
    });
    socket.write(`GET /api/races/${race}/live HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    sockets.push(socket);
  };
  for (const race of races) {
    for (let i = 0; i < viewers; i++) {
      open(race, 0);
      // Do not open a thousand connections in one burst.
      if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  async function openFloor(): Promise<void> {
    const openBare = (attempt: number): void => {
      const socket = connect({ host: url.hostname, port: floorPort });
      socket.on('error', () => attempt < 5 && setTimeout(() => openBare(attempt + 1), 100));
      socket.resume();
      sockets.push(socket);
    };
    for (let i = 0; i < viewers; i++) {
      openBare(0);
      if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    process.send?.('ready');
  }
  process.on('message', (message) => {
    if (message === 'stop') {
      for (const s of sockets) s.destroy();
      process.exit(0);
    }
  });
}

function clock(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}`;
}

async function main(): Promise<void> {
  const VIEWERS = Math.min(Number(args.viewers), 5000);
  const LAPS = Math.min(Number(args.laps), 2000);
  const dir = mkdtempSync(join(tmpdir(), 'sarthe-bench-source-'));
  const bus = new MemoryBus();
  const synchronous = args.synchronous === 'normal' ? 'normal' : 'full';
  const store = new SqliteEventStore({ file: join(dir, 'bench.db'), synchronous });
  // All viewers share one address here, so the per-address rate limit (1,200 a minute) would refuse
  // the 1,001st: off, as in bench/api.ts. Real viewers each have their own address.
  const app = await buildServer({ store, bus, ingestToken: TOKEN, operations: { rateLimitPerMinute: 0 } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;

  // The timing system's side: a TCP server the source connects to, written to by the bench.
  let feedSocket: Socket | null = null;
  const feed = createServer((socket) => {
    feedSocket = socket;
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  const feedAddress = feed.address();
  const feedPort = typeof feedAddress === 'object' && feedAddress !== null ? feedAddress.port : 0;
  const source = new RMonitorTcpSource({ host: '127.0.0.1', port: feedPort, stallAfterMs: 60_000 });
  const run = runLiveSource(app.sarthe.hub, app.log, source, 'bench');
  const rmRace = 'bench-1-bench-6-hours';
  const jsonRace = 'bench-json';

  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const post = (events: unknown[]) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify(events);
      const req = httpRequest(
        `${base}/api/races/${jsonRace}/events`,
        { method: 'POST', agent, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 || res.statusCode === 201 ? resolve() : reject(new Error(`ingest answered ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  // Both races: the same 30 cars, one lap each, before the viewers connect.
  await waitFor(() => feedSocket !== null, 'the source to connect');
  const setup = ['$B,1,"Bench 6 Hours"', '$C,1,"GT3"'];
  for (let c = 1; c <= CARS; c++) setup.push(`$A,"${c}","${c}",${1000 + c},"","Team ${c}","",1`);
  for (let c = 1; c <= CARS; c++) setup.push(`$J,"${c}","00:01:40.000","${clock(100_000 + c * 100)}"`, `$G,${c},"${c}",1,"${clock(100_000 + c * 100)}"`);
  feedSocket!.write(setup.join('\r\n') + '\r\n');
  await post([
    { type: 'session', name: 'Bench JSON 6 Hours', scheduledDurationMs: 21_600_000 },
    ...Array.from({ length: CARS }, (_, i) => ({ type: 'entry', car: String(i + 1), class: 'GT3', team: `Team ${i + 1}` })),
    ...Array.from({ length: CARS }, (_, i) => ({ type: 'lap', car: String(i + 1), lap: 1, crossingMs: 100_000 + (i + 1) * 100, lapMs: 100_000, sectorsMs: [null, null, null], driverNumber: 1 })),
  ]);
  await waitFor(() => (app.sarthe.hub.get(rmRace)?.timeline.cars.size ?? 0) === CARS, 'the RMonitor race');

  // Subscribed before the viewers connect, so before the push: the instant each delta reaches the
  // bus, which splits the latency into ingest (line → delta on the bus) and fan-out (→ every viewer).
  let onBusAt = 0;
  let lastFrame = Buffer.alloc(0);
  for (const race of [rmRace, jsonRace]) {
    bus.subscribe(race, (message) => {
      onBusAt = performance.now();
      if (race === rmRace) lastFrame = Buffer.from(frame('delta', message.seq, 'bench', message.data));
    });
  }

  // The floor's sockets: plain loopback TCP, Nagle off as the live push sets it, nothing else.
  const floorSockets: Socket[] = [];
  const floor = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    floorSockets.push(socket);
  });
  await new Promise<void>((resolve) => floor.listen(0, '127.0.0.1', resolve));
  const floorAddress = floor.address();
  const floorPort = typeof floorAddress === 'object' && floorAddress !== null ? floorAddress.port : 0;

  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child', base, '--races', `${rmRace},${jsonRace}`, '--viewers', String(VIEWERS), '--floor-port', String(floorPort)], { stdio: 'inherit' });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`viewer process exited (${code})`)));
  });
  await waitFor(() => floorSockets.length === VIEWERS, 'the floor sockets');
  const viewers = app.sarthe.push.viewers;

  // End of each measurement: after the push has written the delta to every viewer.
  let pending: { race: string; resolve: (ms: number) => void } | null = null;
  for (const race of [rmRace, jsonRace]) {
    bus.subscribe(race, () => {
      if (pending?.race === race) {
        const done = pending;
        pending = null;
        done.resolve(performance.now());
      }
    });
  }
  const delivered = (race: string) => new Promise<number>((resolve) => (pending = { race, resolve }));

  const rmonitorMs: number[] = [];
  const jsonMs: number[] = [];
  const ingestMs: { rmonitor: number[]; json: number[] } = { rmonitor: [], json: [] };
  const fanOutMs: number[] = [];
  const floorMs: number[] = [];
  for (let i = 0; i < LAPS; i++) {
    const car = (i % CARS) + 1;
    const lap = Math.floor(i / CARS) + 2;
    const crossing = 100_000 * lap + car * 100;
    // RMonitor: one passing and its board row, as Orbits sends them.
    let until = delivered(rmRace);
    let started = performance.now();
    feedSocket!.write(`$J,"${car}","00:01:40.000","${clock(crossing)}"\r\n$G,${car},"${car}",${lap},"${clock(crossing)}"\r\n`);
    let end = await withTimeout(until, 5000);
    rmonitorMs.push(end - started);
    ingestMs.rmonitor.push(onBusAt - started);
    fanOutMs.push(end - onBusAt);
    // The baseline: the same lap through the JSON ingest API.
    until = delivered(jsonRace);
    started = performance.now();
    await post([{ type: 'lap', car: String(car), lap, crossingMs: crossing, lapMs: 100_000, sectorsMs: [null, null, null], driverNumber: 1 }]);
    end = await withTimeout(until, 5000);
    jsonMs.push(end - started);
    ingestMs.json.push(onBusAt - started);
    fanOutMs.push(end - onBusAt);
    // The floor: the RMonitor path's last delta frame, written to as many bare sockets by a bare loop.
    started = performance.now();
    for (const socket of floorSockets) socket.write(lastFrame);
    floorMs.push(performance.now() - started);
    // Let the child read it before the next lap, as the viewers read each delta.
    await new Promise((resolve) => setImmediate(resolve));
  }

  const summary = (values: number[]) => ({ p50Ms: round(percentile(values, 50)), p99Ms: round(percentile(values, 99)), maxMs: round(Math.max(...values)) });
  const rm = summary(rmonitorMs);
  const json = summary(jsonMs);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'live-source latency: line on the socket → SSE delta written to every viewer',
      viewers,
      viewersPerRace: VIEWERS,
      laps: LAPS,
      rmonitor: rm,
      baselineJsonIngest: json,
      p99VsBaseline: round(rm.p99Ms / json.p99Ms),
      // Where the time goes: to the bus (read, decode or parse, store with fsync, engine), then the writes to every viewer.
      toBus: { rmonitor: summary(ingestMs.rmonitor), json: summary(ingestMs.json) },
      fanOut: summary(fanOutMs),
      // The same frame written to as many bare loopback sockets by a bare loop, same run: the socket writes alone.
      bareWritesFloor: summary(floorMs),
      fanOutP50VsFloor: round(percentile(fanOutMs, 50) / percentile(floorMs, 50)),
      frameBytes: lastFrame.length,
      targetP99Ms: 50,
      store: `sqlite synchronous=${synchronous}`,
      loadavg1m: round(loadavg()[0]!),
    })}\n`,
  );

  child.send('stop');
  source.stop();
  await run.done;
  feed.close();
  for (const socket of floorSockets) socket.destroy();
  floor.close();
  agent.destroy();
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no delta within ${ms} ms`)), ms);
    promise.then((v) => {
      clearTimeout(timer);
      resolve(v);
    }, reject);
  });
}
