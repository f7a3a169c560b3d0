/**
 * `serve --watch DIR`: Al Kamel Analysis files imported as they land in a
 * folder ("…Hour 1.CSV", "…Hour 2.CSV", or one file that grows). Each new
 * or grown file is parsed whole and handed over; the store's idempotency
 * keys (the existing importer's deduplication) keep only what is new, so the
 * live race grows by exactly the new laps.
 *
 * A half-written file is never half-imported: a file is read only once its
 * size and modification time have held for one poll, it must end with a
 * line break (Al Kamel rows end with ";\r\n"), and it must parse strictly;
 * otherwise it is retried at the next poll.
 *
 * Files of one race share a key: the name without its "Hour N" part
 * ("23_Analysis_Race_Hour 6.CSV" and "…Hour 12.CSV" feed one race). An hourly
 * cut ends mid-race, so its scheduled length is not guessed from where the
 * leader is: it comes from a chequered flag in the file, else `durationMs`
 * (--duration), else stays unknown.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TimingEvent } from '../../model/events.js';
import { ImportError, parseAnalysis } from '../alkamel/parse.js';
import { raceIdFromFile } from '../replay/index.js';
import { Pause, type SourceSink, type SourceState, type TimingSource } from '../source.js';

export interface WatchOptions {
  dir: string;
  /** Wall ms between two looks at the folder. */
  pollMs?: number;
  /** Scheduled race length (ms) when no file shows the chequered flag. */
  durationMs?: number | null;
}

interface FileState {
  size: number;
  mtimeMs: number;
}

/** "23_Analysis_Race_Hour 6.CSV" → "23_Analysis_Race.CSV": the race the hourly cut belongs to. */
export function raceFileOf(name: string): string {
  return name.replace(/[-_ ]*hour[-_ ]*\d+(?=\.[a-z]+$)/i, '');
}

export class WatchFolderSource implements TimingSource {
  readonly name: string;
  private stopped = false;
  private readonly pause = new Pause();
  private readonly seen = new Map<string, FileState>();
  private readonly imported = new Map<string, FileState>();
  /** Files imported (each version counts once), and attempts put off because a file was not complete. */
  imports = 0;
  retries = 0;

  constructor(private readonly options: WatchOptions) {
    this.name = `watch:${options.dir}`;
  }

  stop(): void {
    this.stopped = true;
    this.pause.wake();
  }

  async run(sink: SourceSink): Promise<void> {
    const pollMs = this.options.pollMs ?? 1000;
    let state: SourceState | null = null;
    const setState = (next: SourceState, detail: string) => {
      if (next === state) return;
      state = next;
      sink.status({ state: next, sinceMs: Date.now(), detail });
    };
    setState('connecting', `watching ${this.options.dir}`);
    while (!this.stopped) {
      try {
        await this.poll(sink);
        setState('live', `watching ${this.options.dir}`);
      } catch (error) {
        setState('connecting', `cannot read ${this.options.dir}: ${(error as Error).message}`);
      }
      if (this.stopped) break;
      await this.pause.sleep(pollMs);
    }
    setState('ended', 'stopped');
  }

  /** One look at the folder: imports every file that is new or grown and complete. */
  async poll(sink: SourceSink): Promise<void> {
    const names = (await readdir(this.options.dir)).filter((n) => /\.csv$/i.test(n)).sort(compareHourFiles);
    for (const name of names) {
      const path = join(this.options.dir, name);
      let info;
      try {
        info = await stat(path);
      } catch {
        continue; // gone between readdir and stat
      }
      const now: FileState = { size: info.size, mtimeMs: info.mtimeMs };
      const before = this.seen.get(path);
      this.seen.set(path, now);
      const done = this.imported.get(path);
      if (done !== undefined && done.size === now.size && done.mtimeMs === now.mtimeMs) continue;
      // Still being written: wait until it holds still for one poll.
      if (before === undefined || before.size !== now.size || before.mtimeMs !== now.mtimeMs) continue;
      const bytes = await readFile(path);
      if (bytes.length !== now.size || (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a)) {
        this.retries++;
        sink.log?.('file not complete yet (no final line break): retrying', { file: path, bytes: bytes.length });
        continue;
      }
      let events: TimingEvent[];
      try {
        events = parseAnalysis(bytes.toString('utf8'), { file: raceFileOf(name) }).events;
      } catch (error) {
        if (!(error instanceof ImportError)) throw error;
        this.retries++;
        const first = error.issues[0];
        sink.badInput({ source: path, line: first?.line ?? 0, text: '', reason: `not imported yet (retried at the next change): ${first?.message ?? error.message}` });
        this.imported.set(path, now); // retried once the file changes again
        continue;
      }
      events = events.map((e) => (e.type === 'session' ? { ...e, scheduledDurationMs: this.scheduled(events, e.scheduledDurationMs) } : e));
      await sink.events({ session: raceIdFromFile(raceFileOf(name)), events });
      this.imported.set(path, now);
      this.imports++;
      sink.log?.('file imported', { file: path, events: events.length });
    }
  }

  private scheduled(events: TimingEvent[], inferred: number | null): number | null {
    const chequered = events.some((e) => e.type === 'lap' && e.flag === 'finish');
    return chequered ? inferred : (this.options.durationMs ?? null);
  }
}

/** "Hour 2" before "Hour 10"; other names as text. */
function compareHourFiles(a: string, b: string): number {
  const ha = /hour[-_ ]*(\d+)/i.exec(a);
  const hb = /hour[-_ ]*(\d+)/i.exec(b);
  if (ha !== null && hb !== null && raceFileOf(a) === raceFileOf(b)) return Number(ha[1]) - Number(hb[1]);
  return a < b ? -1 : a > b ? 1 : 0;
}
