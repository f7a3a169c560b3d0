/**
 * Chrome trace reading shared by bench/web.ts and bench/web-profile.ts: ends
 * a `Tracing.start({ transferMode: 'ReturnAsStream' })` session and returns
 * the trace's events (the CDP stream read to its end, then closed).
 */
import type { CDPSession } from 'playwright-core';

/** Ends tracing on `cdp` and returns the trace's events, as Chrome wrote them (T: the fields the caller reads). */
export async function endTrace<T>(cdp: CDPSession): Promise<T[]> {
  const complete = new Promise<{ stream?: string }>((done) => cdp.once('Tracing.tracingComplete', done));
  await cdp.send('Tracing.end');
  const { stream } = await complete;
  if (stream === undefined) throw new Error('bench: the trace came back without a stream (start tracing with transferMode ReturnAsStream)');
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream });
    text += chunk.base64Encoded === true ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  const parsed = JSON.parse(text) as { traceEvents: T[] } | T[];
  return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}
