/**
 * Turns the timing data at a full race hour into an article draft: headline,
 * standfirst and a Markdown body. The words come from src/report (buildReport);
 * this file only adapts them to an article. Should the generator throw on
 * some race shape, `standingsDraft` writes a plain, always-true report from
 * the classification alone (leaders, gaps, positions tables), so the desk
 * never misses an hour.
 */
import type { RaceInfo } from '../../model/live.js';
import type { EntryList } from '../../analysis/entry-list.js';
import type { CarStanding, Standings } from '../../model/standings.js';
import { HOUR } from '../../model/time.js';
import { formatGap } from '../../model/format.js';
import { standingsAt } from '../../engine/standings.js';
import type { RaceTimeline } from '../../engine/timeline.js';
import { buildReport } from '../../report/build.js';
import { escapeMarkdown, escapeMarkdownInline, renderMarkdown } from '../../report/render.js';
import { advantageWords, driverName, gapWords, numberWord, pick } from '../../report/words.js';

export interface ReportDraft {
  headline: string;
  standfirst: string;
  bodyMd: string;
  /** Class names, for tags. */
  classes: string[];
}

export type ReportDrafter = (timeline: RaceTimeline, race: RaceInfo, hour: number) => ReportDraft;

/** "after one hour", "after 22 hours". */
export function afterHours(hour: number): string {
  return `after ${numberWord(hour)} ${hour === 1 ? 'hour' : 'hours'}`;
}

function carRef(car: CarStanding): string {
  const make = car.manufacturer.trim() || car.team.trim();
  return `#${car.number} ${make}`.trim();
}

function classLeaders(standings: Standings): Map<string, CarStanding[]> {
  const byClass = new Map<string, CarStanding[]>();
  for (const car of standings.cars) {
    const list = byClass.get(car.class) ?? [];
    list.push(car);
    byClass.set(car.class, list);
  }
  return byClass;
}

/** Names from timing data are never markup (report/render.ts escapeMarkdown). */
const md = escapeMarkdownInline;

export const standingsDraft: ReportDrafter = (timeline, race, hour) => {
  const atMs = hour * HOUR;
  const standings = standingsAt(timeline, atMs);
  const classes = classLeaders(standings);
  const leader = standings.cars[0];
  const second = standings.cars[1];
  const final = race.scheduledDurationMs !== null && atMs >= race.scheduledDurationMs;
  const after = afterHours(hour);
  if (leader === undefined) {
    return { headline: `${race.name}: no cars on track ${after}`, standfirst: 'The timing shows no car yet.', bodyMd: '', classes: [] };
  }
  const leadName = driverName(leader.driver).full;
  const verb = pick(['leads', 'heads the field', 'stays in front', 'sets the pace'], `${race.id}:${hour}:verb`);
  const headline = final
    ? `${race.name}: #${leader.number} ${leader.team} wins`
    : `${race.name} ${after}: ${leadName} ${verb}`;
  const standfirst =
    second === undefined
      ? `${leadName} is at the wheel of the leading ${carRef(leader)} ${after}.`
      : `${leadName} and the ${carRef(leader)} ${final ? 'took the chequered flag with' : 'hold'} ${advantageWords(second.gap)} over the ${carRef(second)} of ${driverName(second.driver).full} ${after}.`;

  const paragraphs: string[] = [];
  for (const [name, cars] of classes) {
    const [first, runnerUp, third] = cars;
    if (first === undefined) continue;
    const lines = [`## ${md(name)}`, ''];
    let text = `The ${md(carRef(first))} of ${md(first.team)}, ${md(driverName(first.driver).full)} at the wheel, ${final ? 'won the class' : 'leads the class'} with ${first.laps} laps`;
    if (runnerUp !== undefined) text += `, ${md(gapWords(runnerUp.classGap))} ahead of the ${md(carRef(runnerUp))} (${md(driverName(runnerUp.driver).full)})`;
    text += '.';
    if (third !== undefined) text += ` The ${md(carRef(third))} is third, ${md(gapWords(third.classGap))} behind the leader.`;
    const out = cars.filter((c) => c.status === 'stopped' || c.status === 'retired').length;
    if (out > 0) text += ` ${numberWord(out)[0]!.toUpperCase()}${numberWord(out).slice(1)} of the class's ${cars.length} cars ${out === 1 ? 'is' : 'are'} stopped.`;
    lines.push(text, '');
    paragraphs.push(lines.join('\n'));
  }

  const tables: string[] = [`## Positions ${after}`, ''];
  for (const [name, cars] of classes) {
    tables.push(`### ${md(name)}`, '', '| Pos | Car | Team | Driver | Laps | Gap |', '|---:|---|---|---|---:|---:|');
    for (const car of cars.slice(0, 10)) {
      tables.push(`| ${car.classPosition} | #${md(car.number)} | ${md(car.team)} | ${md(driverName(car.driver).full)} | ${car.laps} | ${md(formatGap(car.classGap))} |`);
    }
    if (cars.length > 10) tables.push('', `…and ${cars.length - 10} more.`);
    tables.push('');
  }
  return { headline, standfirst, bodyMd: [...paragraphs, ...tables].join('\n'), classes: [...classes.keys()] };
};

/** The report generator's words as an article: its headline and standfirst, the rest as the body. */
export const reportDraft: ReportDrafter = (timeline, race, hour) => reportDraftWith(() => null)(timeline, race, hour);

/** reportDraft naming drivers from the race's entry list (full names, categories), when the server has one. */
export function reportDraftWith(entryListFor: (race: { id: string; name: string }) => EntryList | null): ReportDrafter {
  return (timeline, race, hour) => {
    const report = buildReport(timeline, hour, { entryList: entryListFor({ id: race.id, name: race.name }) ?? undefined });
    return draftOf(report);
  };
}

function draftOf(report: ReturnType<typeof buildReport>): ReportDraft {
  const markdown = renderMarkdown(report);
  // The Markdown opens with "# headline" and "**standfirst**": the article shows those itself.
  const opening = `# ${escapeMarkdown(report.headline)}\n\n**${escapeMarkdown(report.standfirst)}**\n\n`;
  const bodyMd = markdown.startsWith(opening) ? markdown.slice(opening.length) : markdown;
  return { headline: report.headline, standfirst: report.standfirst, bodyMd, classes: report.tables.map((t) => t.class) };
};

/** The generator (with the race's entry list, if any), or the plain standings report if the generator fails on this hour. */
export function draftWithFallback(onError: (error: unknown) => void, entryListFor: (race: { id: string; name: string }) => EntryList | null = () => null): ReportDrafter {
  const draft = reportDraftWith(entryListFor);
  return (timeline, race, hour) => {
    try {
      return draft(timeline, race, hour);
    } catch (error) {
      onError(error);
      return standingsDraft(timeline, race, hour);
    }
  };
}
