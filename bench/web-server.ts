/**
 * A real server with a real race replayed "as live", for the browser test
 * (test/web-browser.test.ts) and bench:web: `sarthe serve` itself, in a
 * child process, on a free port and a temporary store (what `npm start`
 * runs, with the news site at `/` and the web app at `/timing/`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServeProcess {
  origin: string;
  /** Where the web app is served: `${origin}/timing/` next to the news site. */
  appUrl: string;
  race: string;
  stop(): Promise<void>;
}

/**
 * `node bin/sarthe.js serve --port 0 --db <tmp> --replay <file> --speed <x>
 * --from <t>`; resolves once it listens and the replay has stored `fromMs`.
 */
export async function serveReplay(options: { root: string; file: string; race: string; fromMs: number; speed: number; /** Wall ms between two replay commits (`--tick`, the server's default 250 when absent). */ tickMs?: number }): Promise<ServeProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'sarthe-serve-'));
  const child = spawn(
    process.execPath,
    [
      join(options.root, 'bin', 'sarthe.js'),
      'serve',
      '--port', '0',
      '--host', '127.0.0.1',
      '--db', join(dir, 'sarthe.db'),
      '--replay', options.file,
      '--race', options.race,
      '--speed', String(options.speed),
      '--from', `${options.fromMs / 1000}s`,
      ...(options.tickMs === undefined ? [] : ['--tick', String(options.tickMs)]),
      '--log-level', 'info',
    ],
    // Ingest off: the variable unset (a blank one is a configuration error).
    { cwd: options.root, stdio: ['ignore', 'pipe', 'pipe'], env: withoutIngestToken() },
  );
  // Never outlive the test or bench that started it.
  const orphanGuard = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', orphanGuard);
  const stop = async (): Promise<void> => {
    process.off('exit', orphanGuard);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const origin = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`sarthe serve did not start in 30 s:\n${log}`)), 30_000);
    child.once('exit', (code) => fail(new Error(`sarthe serve exited (${code}):\n${log}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /Sarthe listening on (http:\/\/[^\s"]+)/.exec(log);
      if (match !== null) {
        clearTimeout(timer);
        done(match[1]!.replace(/\s*\(.*$/, ''));
      }
    });
  });
  try {
    // Wait for the events before `fromMs` to be stored.
    for (let i = 0; ; i++) {
      const response = await fetch(`${origin}/api/races`).catch(() => null);
      const body = response?.ok ? ((await response.json()) as { races: Array<{ id: string; raceTimeMs: number }> }) : null;
      if ((body?.races.find((r) => r.id === options.race)?.raceTimeMs ?? 0) >= options.fromMs - 60_000) break;
      if (i > 300) throw new Error(`the replay did not reach ${options.fromMs} ms:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, appUrl: `${origin}/timing/`, race: options.race, stop };
}

function withoutIngestToken(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.SARTHE_INGEST_TOKEN;
  return env;
}
