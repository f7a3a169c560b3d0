/** Reading an RMonitor capture for the file commands (`standings --format rmonitor`). */
import { readFileSync } from 'node:fs';
import type { SessionType } from '../model/events.js';
import { foldEvents, type RaceTimeline } from '../engine/timeline.js';
import { decodeBytes, decodeCapture } from '../sources/rmonitor/capture.js';
import { applyClassificationProfile } from './results.js';
import { keepCrossingOrder } from './load.js';

export interface LoadedSession {
  /** Key of the session shown (run number and name). */
  session: string;
  /** Every session of the capture, in the order they opened. */
  sessions: string[];
  timeline: RaceTimeline;
  badLines: number;
}

/**
 * Decodes the capture through the live decoder and folds one session: the
 * one named by `session` (its key, or its run number), else the last.
 */
export function loadRMonitorSession(file: string, options: { session?: string; sessionType?: SessionType }): LoadedSession {
  const { sessions, bad } = decodeCapture(decodeBytes(readFileSync(file)), { source: file, sessionType: options.sessionType });
  for (const b of bad.slice(0, 5)) process.stderr.write(`warning: ${b.source}:${b.line}: ${b.reason}: ${b.text}\n`);
  if (bad.length > 5) process.stderr.write(`warning: … and ${bad.length - 5} more bad line(s)\n`);
  if (sessions.length === 0) throw new Error(`${file}: no session with timing data (no $B run seen)`);
  const wanted = options.session;
  const chosen = wanted === undefined ? sessions[sessions.length - 1]! : sessions.find((s) => s.session === wanted || s.session.split('-')[0] === wanted);
  if (chosen === undefined) throw new Error(`--session "${wanted}": sessions in ${file}: ${sessions.map((s) => s.session).join(', ')}`);
  const timeline = foldEvents(keepCrossingOrder(chosen.events));
  // The same classification profile as the server's live race (serve installs the shipped ones), so file and live agree.
  applyClassificationProfile(timeline);
  return { session: chosen.session, sessions: sessions.map((s) => s.session), timeline, badLines: bad.length };
}
