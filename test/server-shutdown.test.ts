/**
 * A stop that really stops (issue 16): SIGTERM while an ingest POST is half
 * sent and live viewers are connected. The POST completes and is answered,
 * the viewers get the `closing` event with its retry hint, the process exits
 * 0 within the deadline — run as `node bin/sarthe.js serve` and through
 * `npm start`, after which no process of the tree is left.
 */
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { entry, lap, repoRoot, session } from './helpers.js';
import { SseParser, type SseMessage } from './server-helpers.js';

const TOKEN = 'shutdown-test-token';
const DEADLINE_MS = 5_000;
const dir = mkdtempSync(join(tmpdir(), 'sarthe-shutdown-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  base: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
}

async function start(how: 'node' | 'npm', db: string): Promise<Started> {
  const args = ['--no-replay', '--no-site', '--host', '127.0.0.1', '--port', '0', '--db', db];
  const child =
    how === 'node'
      ? spawn(process.execPath, [join(repoRoot, 'bin', 'sarthe.js'), 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SARTHE_INGEST_TOKEN: TOKEN, SARTHE_SHUTDOWN_MS: String(DEADLINE_MS) } })
      : spawn('npm', ['start', '--silent', '--', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SARTHE_INGEST_TOKEN: TOKEN, SARTHE_SHUTDOWN_MS: String(DEADLINE_MS) } });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, atMs: performance.now() })),
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    // A server that never says it listens is killed with everything under it
    // (npm start's node too), or its pipes would hold the test runner forever.
    const timer = setTimeout(() => {
      for (const pid of processTree(child.pid!).reverse()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      reject(new Error(`no listening line in 60 s: ${stderr}`));
    }, 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /Sarthe listening on http:\/\/[^:]+:(\d+)/.exec(line);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`exited (${code}) before listening: ${stderr}`)));
  });
  return { child, base: `http://127.0.0.1:${port}`, exit };
}

/** Every pid in the process tree under `pid` (from ps), the root included. */
function processTree(pid: number): number[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of table) if (parent === tree[i]) tree.push(child);
  return tree;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A viewer that records every message until its stream ends. */
function viewer(base: string, race: string): { messages: SseMessage[]; ended: Promise<void>; connected: Promise<void> } {
  const messages: SseMessage[] = [];
  let connected!: () => void;
  const connectedP = new Promise<void>((resolve) => (connected = resolve));
  const ended = new Promise<void>((resolve) => {
    const parser = new SseParser();
    const req = httpGet(`${base}/api/races/${race}/live`, (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        messages.push(...parser.push(chunk));
        if (messages.length > 0) connected();
      });
      response.on('end', () => resolve());
      response.on('close', () => resolve());
    });
    req.on('error', () => resolve());
  });
  return { messages, ended, connected: connectedP };
}

const events = [session({ name: 'Shutdown 6 Hours' }), entry('7', 'LMP1'), lap('7', 1, 200_000)];

async function postJson(base: string, body: unknown): Promise<number> {
  const response = await fetch(`${base}/api/races/stop-test/events`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  return response.status;
}

async function stopUnderLoad(how: 'node' | 'npm'): Promise<void> {
  const server = await start(how, join(dir, `${how}.db`));
  const tree = processTree(server.child.pid!);
  let stoppedMs = Infinity;
  try {
    assert.equal(await postJson(server.base, events.slice(0, 2)), 200, 'the race exists, so viewers can watch it');
    const viewers = [viewer(server.base, 'stop-test'), viewer(server.base, 'stop-test')];
    await Promise.all(viewers.map((v) => v.connected));

    // A POST whose body is half sent when the signal arrives.
    const body = Buffer.from(JSON.stringify([events[2]]));
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(`${server.base}/api/races/stop-test/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': body.length },
      }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (c: string) => (text += c));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.write(body.subarray(0, 10));
      setTimeout(() => {
        const signalled = performance.now();
        server.child.kill('SIGTERM');
        // The rest of the body arrives after the signal.
        setTimeout(() => req.end(body.subarray(10)), 300);
        void server.exit.then((e) => {
          stoppedMs = e.atMs - signalled;
        });
      }, 200);
    });
    const posted = await answer;
    assert.equal(posted.status, 200, `the in-flight POST is answered: ${posted.text}`);
    assert.equal(JSON.parse(posted.text).accepted, 1);
    for (const v of viewers) {
      await v.ended;
      const closing = v.messages.find((m) => m.event === 'closing');
      assert.ok(closing !== undefined, 'the viewer got the closing event');
      assert.equal(JSON.parse(closing.data).retryMs > 0, true);
    }
    const exit = await server.exit;
    assert.equal(exit.code, 0, `exit code (signal ${exit.signal})`);
    assert.ok(stoppedMs < DEADLINE_MS, `stopped ${Math.round(stoppedMs)} ms after SIGTERM: within the drain deadline, nothing had to be cut`);
    // Nothing of the tree (npm, a shell, node) is left.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(tree.filter(alive), [], 'no process left behind');
  } finally {
    for (const pid of processTree(server.child.pid!)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
}

describe('graceful shutdown', () => {
  it('node bin/sarthe.js serve: SIGTERM drains a half-sent POST, tells viewers, exits 0', { timeout: 40_000 }, () => stopUnderLoad('node'));
  it('npm start: the same, and no process is left behind', { timeout: 60_000 }, () => stopUnderLoad('npm'));
});
