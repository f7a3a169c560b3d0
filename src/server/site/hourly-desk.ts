/**
 * The hourly desk: watches every race the server follows and, once the live
 * instant has passed a full race hour, drafts that hour's report and files
 * it — published at once (auto-publish) or as a draft waiting for an editor.
 * One report per race hour (the store's unique index), so a restart, a
 * second tick or a second server never files the same hour twice.
 *
 * It polls the hub rather than the bus: a report is due once per race hour,
 * a second's delay costs nothing, and polling also catches up hours that
 * passed while the server was down.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { HOUR, MAX_RACE_HOURS } from '../../model/time.js';
import { slugify, type Article, type ContentStore } from '../../store/content.js';
import type { RaceHub } from '../races.js';
import { afterHours, type ReportDrafter } from './drafter.js';

export interface HourlyDeskOptions {
  /** Publish each report as soon as it is drafted (default), or leave it for an editor. */
  autoPublish: boolean;
  drafter: ReportDrafter;
  /** How often the desk looks at the races (wall ms). */
  intervalMs: number;
  byline: string;
}

export const DEFAULT_DESK: Omit<HourlyDeskOptions, 'drafter'> = { autoPublish: true, intervalMs: 1000, byline: 'Sarthe race desk' };

/** The address of a race hour's report: fixed, so corrections keep it. */
export function reportSlug(race: string, hour: number): string {
  return slugify(`${race} after ${hour} ${hour === 1 ? 'hour' : 'hours'}`);
}

export class HourlyDesk {
  /** Per race: every hour up to this one is filed. */
  private readonly filedUpTo = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly hub: RaceHub,
    private readonly content: ContentStore,
    private readonly log: FastifyBaseLogger,
    readonly options: HourlyDeskOptions,
  ) {}

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One look at every race; ticks never overlap. Resolves when done. */
  tick(): Promise<void> {
    this.running ??= this.fileDueReports()
      .catch((error: unknown) => this.log.error({ err: error }, 'hourly desk failed'))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /**
   * The last full hour a race has passed (0 before the first), never past the
   * scheduled length nor MAX_RACE_HOURS: a store written before race time was
   * bounded may hold a lap 10⁸ hours in, and the desk must not draft toward it.
   */
  static hoursPassed(raceTimeMs: number, scheduledDurationMs: number | null): number {
    // Strictly past the hour: every event at or before it has been stored.
    let hours = raceTimeMs > 0 ? Math.floor((raceTimeMs - 1) / HOUR) : 0;
    if (scheduledDurationMs !== null) hours = Math.min(hours, Math.ceil(scheduledDurationMs / HOUR));
    return Math.min(hours, MAX_RACE_HOURS);
  }

  private async fileDueReports(): Promise<void> {
    for (const race of this.hub.list()) {
      // Practice, qualifying and test sessions get no hourly race report (DESIGN.md "Session type").
      if ((race.race.sessionType ?? 'race') !== 'race') continue;
      const due = HourlyDesk.hoursPassed(race.raceTimeMs, race.race.scheduledDurationMs);
      const filed = this.filedUpTo.get(race.id) ?? 0;
      for (let hour = filed + 1; hour <= due; hour++) {
        await this.file(race.id, hour);
        this.filedUpTo.set(race.id, hour);
        // One report per turn of the event loop: drafting one takes tens of ms, and a
        // desk catching up eleven hours (a bulk ingest, a restart) must not hold
        // requests for all of them at once (issue 13, /api/health p99 ≤ 100 ms).
        await nextTurn();
      }
    }
  }

  private async file(raceId: string, hour: number): Promise<Article | null> {
    const existing = await this.content.reportOf(raceId, hour);
    if (existing !== null) return existing;
    const race = this.hub.get(raceId);
    if (race === undefined) return null;
    const started = performance.now();
    const draft = this.options.drafter(race.timeline, race.race, hour);
    const article = await this.content.createArticle(
      {
        slug: reportSlug(raceId, hour),
        kind: 'report',
        status: this.options.autoPublish ? 'published' : 'draft',
        headline: draft.headline,
        standfirst: draft.standfirst,
        bodyMd: draft.bodyMd,
        byline: this.options.byline,
        tags: ['hourly-reports', raceId, ...draft.classes],
        race: raceId,
        hour,
      },
      Date.now(),
    );
    this.log.info(
      { race: raceId, hour, slug: article?.slug ?? null, status: article?.status ?? 'exists', ms: Math.round(performance.now() - started) },
      `hourly report ${afterHours(hour)} ${article === null ? 'already filed' : this.options.autoPublish ? 'published' : 'drafted for review'}`,
    );
    return article;
  }
}
