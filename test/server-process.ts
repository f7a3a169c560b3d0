/** Runs the real server (`node bin/sarthe.js serve`) as a child process, for the fault tests and the bench. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { repoRoot } from './helpers.js';

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  port: number;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

export async function startServerProcess(options: { db: string; port?: number; token: string; args?: string[]; replay?: boolean }): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'bin', 'sarthe.js'),
      'serve',
      ...(options.replay === true ? [] : ['--no-replay']),
      '--no-site',
      '--host',
      '127.0.0.1',
      '--port',
      String(options.port ?? 0),
      '--db',
      options.db,
      ...(options.args ?? []),
    ],
    { env: { ...process.env, SARTHE_INGEST_TOKEN: options.token }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`server did not start in 15 s: ${stderr}`)), 15_000);
    lines.on('line', (line) => {
      const m = /Sarthe listening on http:\/\/[^:]+:(\d+)/.exec(line);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
  child.stdout!.resume();
  return { child, port, base: `http://127.0.0.1:${port}`, exited };
}

export async function kill(server: ServerProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  server.child.kill(signal);
  await server.exited;
}
