/**
 * The data the server inlines in the app's page (src/server/web.ts
 * bootPage): the race list and the newest race's live snapshot with its SSE
 * id, so the first rows are drawn as soon as the script runs. Absent when
 * the page comes from elsewhere (Vite's dev server): the app then asks.
 */
import type { LiveSnapshot, RaceInfo } from '../../model/live.js';

export interface BootLive {
  race: string;
  /** The snapshot's SSE id, `<seq>-<epoch>`: the stream carries on from it (?lastEventId=). */
  eventId: string;
  snapshot: LiveSnapshot;
}

interface Boot {
  races: RaceInfo[];
  live?: BootLive;
}

let boot: Boot | null | undefined;

function read(): Boot | null {
  if (boot === undefined) {
    const text = document.getElementById('sarthe-boot')?.textContent ?? '';
    try {
      boot = text === '' ? null : (JSON.parse(text) as Boot);
    } catch {
      boot = null;
    }
  }
  return boot;
}

/** The race list the page came with, or null. */
export function bootRaces(): RaceInfo[] | null {
  return read()?.races ?? null;
}

/** The page's snapshot of this race, once: a later screen of the same race would show an old state. */
export function takeBootLive(race: string): BootLive | null {
  const live = read()?.live;
  if (live === undefined || live.race !== race) return null;
  delete boot!.live;
  return live;
}
