/**
 * `serve --watch DIR`: Le Mans 2019 lands in a watched folder as three
 * growing hourly files (6 h, 12 h, full), one of them first half-written.
 * Every viewer ends on the state of a clean import of the full file, and no
 * lap is stored twice.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { foldEvents } from '../src/engine/timeline.js';
import { classificationAt } from '../src/engine/session-standings.js';
import { HOUR } from '../src/model/time.js';
import { runLiveSource } from '../src/server/live-source.js';
import { parseAnalysis } from '../src/sources/alkamel/parse.js';
import { raceFileOf, WatchFolderSource } from '../src/sources/watch/index.js';
import { realData, realFile } from './helpers.js';
import { LiveViewer, testServer } from './server-helpers.js';

/** The file's header and the rows whose ELAPSED is at most `untilMs` (a cut as Al Kamel publishes each hour). */
function cut(text: string, untilMs: number): string {
  const lines = text.split('\r\n');
  const header = lines[0]!.split(';').map((h) => h.trim());
  const elapsed = header.indexOf('ELAPSED');
  const toMs = (t: string) => t.split(':').reduce((acc, part) => acc * 60 + Number(part), 0) * 1000;
  return [lines[0], ...lines.slice(1).filter((l) => l !== '' && toMs(l.split(';')[elapsed]!) <= untilMs)].join('\r\n') + '\r\n';
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('serve --watch', () => {
  it('names hourly files after their race', () => {
    assert.equal(raceFileOf('23_Analysis_Race_Hour 6.CSV'), '23_Analysis_Race.CSV');
    assert.equal(raceFileOf('lemans-2019-race-analysis-hour-12.csv'), 'lemans-2019-race-analysis.csv');
    assert.equal(raceFileOf('lemans-2019-race-analysis.csv'), 'lemans-2019-race-analysis.csv');
  });

  it('Le Mans 2019 in three growing cuts: viewers end on a clean import, no lap twice', realData(), async () => {
    const full = readFileSync(realFile('lemans-2019-race-analysis.csv'), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'sarthe-watch-'));
    const app = await testServer();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    const source = new WatchFolderSource({ dir, pollMs: 20, durationMs: 24 * HOUR });
    const run = runLiveSource(app.sarthe.hub, app.log, source, '');
    const viewers: LiveViewer[] = [];
    try {
      const name = (h: number) => `lemans-2019-race-analysis Hour ${h}.csv`;
      writeFileSync(join(dir, name(6)), cut(full, 6 * HOUR));
      await waitFor(() => source.imports === 1, 'the 6-hour file');
      const race = app.sarthe.hub.get('lemans-2019')!;
      assert.ok(race !== undefined, 'the race id comes from the file name without "Hour N"');
      const lapsAt6 = [...race.timeline.cars.values()].reduce((n, c) => n + c.laps.length, 0);
      for (let i = 0; i < 3; i++) viewers.push(new LiveViewer(base, 'lemans-2019'));
      await Promise.all(viewers.map((v) => v.waitForSeq(race.seq)));

      // Half-written: cut mid-row, left alone for several polls: nothing of it is imported.
      const twelve = cut(full, 12 * HOUR);
      writeFileSync(join(dir, name(12)), twelve.slice(0, Math.floor(twelve.length / 2)));
      await waitFor(() => source.retries >= 1, 'the half-written file to be put off');
      assert.equal(source.imports, 1);
      assert.equal([...race.timeline.cars.values()].reduce((n, c) => n + c.laps.length, 0), lapsAt6);
      writeFileSync(join(dir, name(12)), twelve);
      await waitFor(() => source.imports === 2, 'the 12-hour file');
      writeFileSync(join(dir, name(24)), full);
      await waitFor(() => source.imports === 3, 'the full file');

      const clean = foldEvents(parseAnalysis(full, { file: 'lemans-2019-race-analysis.csv' }).events);
      const expected = classificationAt(clean, null);
      await Promise.all(viewers.map((v) => v.waitForSeq(race.seq)));
      for (const viewer of viewers) assert.deepEqual(viewer.state!.cars, expected.cars);
      assert.deepEqual(race.liveStandings()!.cars, expected.cars);

      const stored = await app.sarthe.hub.store.readSince('lemans-2019', 0, 1_000_000);
      const lapKeys = stored.filter((s) => s.event.type === 'lap').map((s) => s.key);
      assert.equal(new Set(lapKeys).size, lapKeys.length, 'a lap stored twice');
      assert.equal(lapKeys.length, 18_765, 'every row of the file, once');
      assert.equal(run.conflicts(), 0, 'a later cut contradicted an earlier one');

    } finally {
      for (const v of viewers) v.close();
      source.stop();
      await run.done;
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
