/**
 * Race-control messages → timing events (`decision` and `message`).
 *
 * The plain-text form, one message a line, each after the race time it was
 * announced at (`H:MM:SS[.mmm]`, as `sarthe … --decisions FILE` takes it):
 *
 *   23:59:10 CAR 50 - DISQUALIFIED - TECHNICAL INFRINGEMENT
 *   6:37:12  SAFETY CAR DEPLOYED
 *
 * Blank lines and lines starting with `#` are skipped. A line race control's
 * words cannot be read as a decision for certain stays a `message` event,
 * never a guessed decision. Ids are derived from the race time, the car, the
 * kind and the text, so a file sent twice adds nothing.
 */
import { DecisionEventSchema, MessageEventSchema, type DecisionEvent, type MessageEvent } from '../../model/events.js';
import { ZodError } from 'zod';
import { MAX_RACE_HOURS, MAX_RACE_TIME_MS, parseClockMs } from '../../model/time.js';
import { parseRaceControlMessage } from './parse.js';

export { parseRaceControlMessage, type ParsedDecision } from './parse.js';

/** A line that is not `<race time> <text>`: where and what. */
export class RaceControlTextError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${source}:${line}: ${problem}`);
    this.name = 'RaceControlTextError';
  }
}

/** 32-bit FNV-1a of a text, as 8 hex digits: a short, stable id part. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * The events one race-control message gives, announced at `announcedMs`
 * (race ms): one `decision` per car when the text is a decision Sarthe reads
 * for certain, else one `message`. Every event passes the ingest schema.
 *
 * A message announced before race time zero (`announcedMs` < 0: a replay
 * archive's pre-race messages, "UNDER 5 MINUTES TO COMMAND", a grid penalty)
 * is stated at 0, the first instant race time has (the event schema's race
 * time is ≥ 0), so it is in force from the start; its id keeps the announced
 * time, so two alike pre-race messages stay two events.
 */
export function raceControlEvents(text: string, announcedMs: number): Array<DecisionEvent | MessageEvent> {
  const words = text.trim().slice(0, 1000);
  const atMs = Math.max(0, announcedMs);
  const stamp = `${announcedMs}:${fnv1a(words)}`;
  const decisions = parseRaceControlMessage(words);
  if (decisions === null) return [MessageEventSchema.parse({ type: 'message', id: `rc:${stamp}`, atMs, text: words })];
  return decisions.map((d) =>
    DecisionEventSchema.parse({
      type: 'decision',
      id: `rc:${stamp}:${d.car}:${d.kind}`,
      atMs,
      kind: d.kind,
      car: d.car,
      penaltyMs: d.penaltyMs,
      laps: d.laps,
      lap: d.lap,
      reason: d.reason.slice(0, 300),
      text: words,
    }),
  );
}

const LINE = /^(\d{1,3}:\d{2}:\d{2}(?:\.\d{1,3})?)(?:\s+|\s*[,;\t|]\s*|\s+-\s+)(.+)$/;

/**
 * Reads the plain-text form (see the module comment). Throws
 * `RaceControlTextError` naming the source and line of the first line that
 * has no race time or no text; nothing is returned from a file with an error.
 */
export function parseRaceControlText(text: string, source = 'race control'): Array<DecisionEvent | MessageEvent> {
  const events: Array<DecisionEvent | MessageEvent> = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (m === null) {
      throw new RaceControlTextError(source, i + 1, `expected "<race time> <message>", e.g. "23:59:10 CAR 50 - DRIVE THROUGH", got "${line.slice(0, 80)}"`);
    }
    const atMs = parseClockMs(m[1]!);
    if (!Number.isFinite(atMs)) throw new RaceControlTextError(source, i + 1, `cannot read race time "${m[1]}" (H:MM:SS[.mmm])`);
    if (atMs > MAX_RACE_TIME_MS) throw new RaceControlTextError(source, i + 1, `race time "${m[1]}" is beyond ${MAX_RACE_HOURS} hours`);
    if (m[2]!.length > 1000) throw new RaceControlTextError(source, i + 1, `message longer than 1000 characters`);
    try {
      events.push(...raceControlEvents(m[2]!, atMs));
    } catch (error) {
      // A value the event schema refuses (a penalty beyond its bounds): named by line, never a bare schema dump.
      if (!(error instanceof ZodError)) throw error;
      const issue = error.issues[0];
      throw new RaceControlTextError(source, i + 1, `${issue?.path.join('.') || 'decision'}: ${issue?.message ?? error.message}`);
    }
  }
  return events;
}
