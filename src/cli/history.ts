/**
 * `sarthe history <file…>`: positions at every hour (lap chart by hour),
 * leader changes, laps led, retirements and the finish; with one --car,
 * that car's position and gap after every lap.
 */
import type { Command } from 'commander';
import { formatGap } from '../model/format.js';
import { formatDuration, formatRaceTime } from '../model/time.js';
import { classKey } from '../engine/standings.js';
import { raceHistory, type CarHistory, type LapChartPoint, type LeaderChange } from '../analysis/history.js';
import { withAnalysisOptions, loadAnalysisInput, printJson, type AnalysisCliOptions } from './analysis-options.js';
import { renderTable, type Column } from './table.js';

export function registerHistory(program: Command): void {
  withAnalysisOptions(
    program.command('history').description('positions by hour and by lap, leader changes, laps led, retirements, the finish'),
    // The history is the whole race up to the instant: no --hour to narrow it to (--at Nh gives it at the end of hour N).
    { rules: false, hour: false },
  ).action(async (files: string[], options: AnalysisCliOptions) => {
    const input = await loadAnalysisInput(files, options);
    const history = raceHistory(input.timeline, { at: input.at, entryList: input.entryList });
    const wanted = input.cars === undefined ? null : new Set(input.cars);
    const keep = (car: string) => wanted === null || wanted.has(car);
    const inClass = options.class !== undefined;
    const changes = history.leaderChanges.filter((c) =>
      inClass ? c.scope === 'class' && classKey(c.class ?? '') === classKey(options.class!) : c.scope === 'overall' || wanted !== null,
    );
    if (options.json) {
      printJson({
        ...history,
        lapChart: history.lapChart.filter((h) => keep(h.car.car)),
        hours: history.hours.map((h) => ({ ...h, standings: { ...h.standings, cars: h.standings.cars.filter((c) => keep(c.number)) } })),
        leaderChanges: changes,
        lapsLed: history.lapsLed.filter((l) => keep(l.car)),
        retirements: history.retirements.filter((r) => keep(r.car.car)),
        longStops: history.longStops.filter((s) => keep(s.car)),
      });
      return;
    }
    const lines = [`${input.title} — history`];
    if (input.cars !== undefined && input.cars.length === 1 && options.car !== undefined) {
      const car = history.lapChart.find((h) => h.car.car === input.cars![0]);
      lines.push('', car === undefined ? '(no laps)' : carChart(car));
      process.stdout.write(`${lines.join('\n')}\n`);
      return;
    }
    // Positions by hour, cars in their order at the instant of the analysis.
    const last = history.hours[history.hours.length - 1];
    const order = (last?.standings.cars ?? []).filter((c) => keep(c.number)).map((c) => c.number);
    const posAt = history.hours.map((h) => new Map(h.standings.cars.map((c) => [c.number, inClass ? c.classPosition : c.position])));
    const byHour: Column<string>[] = [
      { header: 'Car', value: (car) => `#${car}`, align: 'right' },
      { header: 'Class', value: (car) => input.timeline.cars.get(car)!.entry.class },
      ...history.hours.map((h, i) => ({ header: `${h.hour}h`, value: (car: string) => String(posAt[i]!.get(car) ?? ''), align: 'right' as const })),
    ];
    lines.push('', `Positions ${inClass ? 'in class' : 'overall'} at each hour`, order.length === 0 ? '(no full hour yet)' : renderTable(order, byHour));
    lines.push('', inClass ? 'Class leader changes' : 'Leader changes');
    lines.push(
      renderTable(changes, [
        { header: 'Race time', value: (c: LeaderChange) => formatRaceTime(c.atMs), align: 'right' },
        { header: 'Lap', value: (c) => String(c.lap), align: 'right' },
        { header: 'Leader', value: (c) => `#${c.to}` + (c.from === null ? ' (first)' : ` (from #${c.from})`) },
        ...(inClass || wanted === null ? [] : [{ header: 'Scope', value: (c: LeaderChange) => c.class ?? 'overall' }]),
      ]),
    );
    const led = history.lapsLed.filter((l) => keep(l.car));
    lines.push('', 'Laps led');
    lines.push(
      renderTable(led, [
        { header: 'Car', value: (l) => `#${l.car}`, align: 'right' },
        { header: 'Class', value: (l) => l.class },
        { header: 'Overall', value: (l) => String(l.overall), align: 'right' },
        { header: 'In class', value: (l) => String(l.inClass), align: 'right' },
      ]),
    );
    const gone = history.retirements.filter((r) => keep(r.car.car));
    lines.push('', 'Stopped or retired');
    lines.push(
      gone.length === 0
        ? '(none)'
        : renderTable(gone, [
            { header: 'Car', value: (r) => `#${r.car.car}`, align: 'right' },
            { header: 'Class', value: (r) => r.car.class },
            { header: 'Status', value: (r) => r.status },
            { header: 'Laps', value: (r) => String(r.laps), align: 'right' },
            { header: 'Last seen', value: (r) => formatRaceTime(r.lastSeenMs), align: 'right' },
            { header: 'Where', value: (r) => (r.lastLapInPit ? 'in the pits' : 'on track') },
          ]),
    );
    const long = history.longStops.filter((s) => keep(s.car));
    lines.push('', `Long pit stops: ${long.length}${long.length > 0 ? ` (longest: #${long.reduce((a, b) => ((b.lostMs ?? 0) > (a.lostMs ?? 0) ? b : a)).car}, lost ${formatDuration(Math.max(...long.map((s) => s.lostMs ?? 0)))}; see sarthe pits)` : ''}`);
    if (history.finish !== null) {
      const f = history.finish;
      lines.push(
        '',
        `Finish: chequered flag at ${formatRaceTime(f.chequeredMs, true)}, taken by #${f.winner}${f.winnerDriver ? ` (${f.winnerDriver.displayName})` : ''} after ${f.winnerLaps} laps`,
        `Class winners: ${f.classWinners.map((w) => `${w.class} #${w.car} (${w.laps})`).join(', ')}`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}

function carChart(car: CarHistory): string {
  const columns: Column<LapChartPoint>[] = [
    { header: 'Lap', value: (p) => String(p.lap), align: 'right' },
    { header: 'Race time', value: (p) => formatRaceTime(p.atMs), align: 'right' },
    { header: 'Pos', value: (p) => String(p.position), align: 'right' },
    { header: 'Class pos', value: (p) => String(p.classPosition), align: 'right' },
    { header: 'Gap', value: (p) => formatGap(p.gap), align: 'right' },
    { header: 'Class gap', value: (p) => formatGap(p.classGap), align: 'right' },
  ];
  return `#${car.car.car} ${car.car.team} (${car.car.class}) — after every lap\n${renderTable(car.laps, columns)}`;
}
