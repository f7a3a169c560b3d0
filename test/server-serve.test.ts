/** `sarthe serve` as `npm start` runs it: the demo race replayed as if live, resumed after a restart. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freshSnapshot, LiveViewer } from './server-helpers.js';
import { kill, startServerProcess } from './server-process.js';

const dir = mkdtempSync(join(tmpdir(), 'sarthe-serve-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface RaceSummary {
  id: string;
  seq: number;
  raceTimeMs: number;
  cars: number;
}

async function demoRace(base: string): Promise<RaceSummary | undefined> {
  const body = (await (await fetch(`${base}/api/races`)).json()) as { races: RaceSummary[] };
  return body.races.find((r) => r.id === 'lemans-2019');
}

async function until<T>(probe: () => Promise<T | undefined>, ok: (value: T) => boolean, what: string): Promise<T> {
  const end = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined && ok(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('sarthe serve replaying the demo race', { timeout: 90_000 }, () => {
  it('replays Le Mans 2019 as if live, viewers see deltas, and a restart resumes the replay', async () => {
    const db = join(dir, 'serve.db');
    // 3600×: an hour of racing a second; ticks of 100 ms.
    const args = ['--speed', '3600', '--tick', '100'];
    let server = await startServerProcess({ db, token: 't', replay: true, args });
    const first = await until(() => demoRace(server.base), (r) => r.cars === 61 && r.raceTimeMs > 600_000, 'the replay to start');
    const viewer = new LiveViewer(server.base, 'lemans-2019');
    const later = await until(() => demoRace(server.base), (r) => r.raceTimeMs > first.raceTimeMs + 3_600_000, 'the replay clock to pass another hour');
    assert.ok(later.seq > first.seq);
    await until(async () => viewer.deltas.length, (n) => n >= 5, 'deltas on the live stream');
    await kill(server, 'SIGKILL');
    viewer.close();

    server = await startServerProcess({ db, token: 't', replay: true, args });
    const resumed = await demoRace(server.base);
    assert.ok(resumed !== undefined && resumed.raceTimeMs >= later.raceTimeMs, 'the store kept the race as far as it had gone');
    const onward = await until(() => demoRace(server.base), (r) => r.raceTimeMs > resumed.raceTimeMs + 1_800_000, 'the resumed replay to advance');
    assert.ok(onward.seq > resumed.seq);
    const races = ((await (await fetch(`${server.base}/api/races`)).json()) as { races: RaceSummary[] }).races.map((r) => r.id);
    assert.deepEqual(races, ['lemans-2019'], 'resumed under the same id, not a second copy');
    const snapshot = await freshSnapshot(server.base, 'lemans-2019');
    assert.equal(snapshot.cars.length, 61);
    await kill(server, 'SIGKILL');
  });
});
