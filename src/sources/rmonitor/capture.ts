/**
 * RMonitor capture files: the lines of a recorded feed, grouped into packets
 * with the instant each arrived, so a capture can be played "as live" at its
 * recorded pace (feed-server.ts) or decoded at once (decodeCapture).
 *
 * Time of each packet (ms from the capture's first packet):
 * - relay framing `##YYYY-MM-DD HH:MM:SS.fff[|kind]` (Race Monitor relay, UTC
 *   receive time) when the file has it;
 * - otherwise the `$F` time of day (1 s resolution; a wrap past midnight adds
 *   a day), lines before the first `$F` at 0.
 */
import type { SessionType, TimingEvent } from '../../model/events.js';
import type { BadInput } from '../source.js';
import { RMonitorDecoder } from './decoder.js';

export interface CapturePacket {
  /** Ms since the first packet of the capture. */
  atMs: number;
  /** Raw lines (no line endings), including the `##` header when there is one. */
  lines: string[];
}

const RELAY = /^##(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?/;
const F_TIME = /^\$F,[^,]*,"[^"]*","(\d+):(\d\d):(\d\d)"/;

/** Splits capture text into lines: CRLF or bare LF (spec §2), BOM removed. */
export function captureLines(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function capturePackets(text: string): CapturePacket[] {
  const lines = captureLines(text);
  const relay = lines.some((l) => RELAY.test(l));
  const packets: CapturePacket[] = [];
  let origin: number | null = null;
  let dayOffset = 0;
  let lastTod = -1;
  let current: CapturePacket = { atMs: 0, lines: [] };
  const flush = () => {
    if (current.lines.length > 0) packets.push(current);
  };
  for (const line of lines) {
    let at: number | null = null;
    if (relay) {
      const m = RELAY.exec(line);
      if (m !== null) at = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7] === undefined ? 0 : +m[7].padEnd(3, '0'));
    } else {
      const m = F_TIME.exec(line);
      if (m !== null) {
        const tod = (+m[1]! * 3600 + +m[2]! * 60 + +m[3]!) * 1000;
        if (lastTod >= 0 && tod < lastTod - 12 * 3_600_000) dayOffset += 24 * 3_600_000;
        lastTod = tod;
        at = tod + dayOffset;
      }
    }
    if (at !== null) {
      origin ??= at;
      const atMs = Math.max(0, at - origin);
      // A new instant starts a packet; a $F at the same second joins the current one.
      if (relay || atMs !== current.atMs) {
        flush();
        current = { atMs: Math.max(atMs, current.atMs), lines: [] };
      }
    }
    current.lines.push(line);
  }
  flush();
  return packets;
}

export interface DecodedSession {
  /** Session key (run number and name). */
  session: string;
  events: TimingEvent[];
}

/**
 * Decodes a whole capture through the live decoder: the events of each
 * session, in the order the feed told them, and the unreadable lines.
 */
export function decodeCapture(text: string, options: { source: string; sessionType?: SessionType }): { sessions: DecodedSession[]; bad: BadInput[] } {
  const bad: BadInput[] = [];
  const decoder = new RMonitorDecoder(options, (b) => bad.push(b));
  const sessions = new Map<string, TimingEvent[]>();
  for (const line of captureLines(text)) {
    for (const batch of decoder.push(line)) {
      let list = sessions.get(batch.session);
      if (list === undefined) sessions.set(batch.session, (list = []));
      list.push(...batch.events);
    }
  }
  return { sessions: [...sessions].map(([session, events]) => ({ session, events })), bad };
}

/**
 * Bytes → text, line by line: UTF-8 where a line is valid UTF-8, else
 * Latin-1 (the spec names no character set, §1). One stray byte costs its
 * own line only: "Équipe Pérez" elsewhere stays as written. A UTF-8
 * byte-order mark is dropped.
 */
export function decodeBytes(bytes: Uint8Array): string {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  try {
    return utf8.decode(bytes);
  } catch {
    // Some line is not UTF-8: decode each on its own.
  }
  const latin1 = new TextDecoder('latin1');
  const parts: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline + 1;
    const line = bytes.subarray(start, end);
    try {
      parts.push(utf8.decode(line));
    } catch {
      parts.push(latin1.decode(line));
    }
    start = end;
  }
  return parts.join('');
}
