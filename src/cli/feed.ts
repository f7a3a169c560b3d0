/**
 * `sarthe feed rmonitor FILE --port N [--speed X] [--max-gap S]`: serves an
 * RMonitor capture on a local TCP port at its recorded pace (relay `##`
 * times when present, else the `$F` clock), as an Orbits scoreboard output
 * would: the end-to-end test double of `serve --source rmonitor://…`, and a
 * rehearsal for an organiser. Exits when the capture has been played.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { capturePackets, decodeBytes } from '../sources/rmonitor/capture.js';
import { RMonitorFeedServer } from '../sources/rmonitor/feed-server.js';

interface Options {
  port: string;
  host: string;
  speed: string;
  maxGap?: string;
  dropAt?: string;
}

export function registerFeed(program: Command): void {
  program
    .command('feed')
    .description('serve a timing capture on a TCP port at its recorded pace (the live test double)')
    .argument('<format>', 'capture format: rmonitor')
    .argument('<file>', 'the capture file')
    .option('--port <port>', 'TCP port (Orbits uses 50000; 0 = any free port, printed)', '50000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--speed <x>', 'capture seconds per second', '1')
    .option('--max-gap <seconds>', 'longest silence kept between two packets (skips the gaps between excerpts)')
    .option('--drop-at <share>', 'end the connections once this share of the capture is sent (0–1), to rehearse a reconnection')
    .action(async (format: string, file: string, options: Options) => {
      if (format !== 'rmonitor') throw new Error(`feed: unknown format "${format}" (known: rmonitor)`);
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got "${options.port}"`);
      const speed = Number(options.speed);
      if (!(speed > 0)) throw new Error(`--speed must be a number above 0, got "${options.speed}"`);
      const maxGapS = options.maxGap === undefined ? Infinity : Number(options.maxGap);
      if (!(maxGapS >= 0)) throw new Error(`--max-gap must be seconds (0 or more), got "${options.maxGap}"`);
      const packets = capturePackets(decodeBytes(readFileSync(resolve(file))));
      if (packets.length === 0) throw new Error(`${file}: no RMonitor lines`);
      const log = (message: string, fields: Record<string, unknown> = {}) =>
        process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), msg: message, ...fields })}\n`);
      const dropAt = options.dropAt === undefined ? undefined : Number(options.dropAt);
      if (dropAt !== undefined && !(dropAt > 0 && dropAt < 1)) throw new Error(`--drop-at must be a share between 0 and 1, got "${options.dropAt}"`);
      const dropAfterPackets = dropAt === undefined ? undefined : Math.max(1, Math.floor(packets.length * dropAt));
      const server = new RMonitorFeedServer({ packets, speed, maxGapMs: maxGapS * 1000, log, dropAfterPackets });
      const bound = await server.listen(port, options.host);
      const lengthS = Math.round(packets[packets.length - 1]!.atMs / 1000);
      // The port on stdout, alone, so a script can read it (with --port 0).
      process.stdout.write(`${bound}\n`);
      log('feed listening', { file, port: bound, packets: packets.length, captureSeconds: lengthS, speed });
      const stop = () => void server.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await server.done;
      await server.close();
    });
}
