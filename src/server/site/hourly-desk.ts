/**
 * The hourly desk: watches every race the server follows and, once the live
 * instant has passed a full race hour, drafts that hour's report and files
 * it — published at once (auto-publish) or as a draft waiting for an editor.
 * One report per race hour (the store's unique index), so a restart, a
 * second tick or a second server never files the same hour twice.
 *
 * The last hour's report is the result (issue 11, Deliver 4): filed at the
 * chequered flag as a *provisional* result while cars still running have yet
 * to take the flag, then, once every one has (or `settleMs` after the flag),
 * drafted again from the full data and filed at the same address, marked
 * updated, with the classification. The provisional text is kept as a draft
 * (its address + "-provisional", tag `revision`) so editors see both. A
 * result declared under red flag is final at once.
 *
 * It polls the hub rather than the bus: a report is due once per race hour,
 * a second's delay costs nothing, and polling also catches up hours that
 * passed while the server was down.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { HOUR, MAX_RACE_HOURS, MINUTE } from '../../model/time.js';
import type { RaceTimeline } from '../../engine/timeline.js';
import { redFlagResultMs, resultStatus, type ResultStatus } from '../../engine/finish.js';
import { standingsAt } from '../../engine/standings.js';
import { slugify, type Article, type ContentStore } from '../../store/content.js';
import type { RaceHub } from '../races.js';
import type { RemoteDraft, RemoteDraftCall } from './desk-thread.js';
import { afterHours, type ReportDraft, type ReportDrafter } from './drafter.js';

export interface HourlyDeskOptions {
  /** Publish each report as soon as it is drafted (default), or leave it for an editor. */
  autoPublish: boolean;
  drafter: ReportDrafter;
  /** How often the desk looks at the races (wall ms). */
  intervalMs: number;
  byline: string;
  /** Race ms after the chequered flag at which the result is final even if a car still running has not taken the flag. */
  settleMs: number;
  /**
   * Drafts off the event loop (desk-thread.ts, in the event store's thread),
   * in place of `drafter` on this thread; null or absent: `drafter`. Should it
   * fail (the thread gone), the desk drafts here instead and says so once.
   */
  remote?: ((call: Omit<RemoteDraftCall, 'entryList'>) => Promise<RemoteDraft>) | null;
}

export const DEFAULT_DESK: Omit<HourlyDeskOptions, 'drafter'> = { autoPublish: true, intervalMs: 1000, byline: 'Sarthe race desk', settleMs: 15 * MINUTE };

/** Tags of the last hour's report: the result as filed at the flag, and as it stands once every car has taken it. */
export const PROVISIONAL_TAG = 'provisional-result';
export const FINAL_TAG = 'final-result';
export const REVISION_TAG = 'revision';

/** The line that opens a result report's body, saying which version it is. */
export function resultNote(status: ResultStatus, declaredUnderRed: boolean): string {
  if (declaredUnderRed) return '**Result declared under red flag.** The race was stopped and not resumed: this is the result.';
  return status === 'final'
    ? '**Updated: final result.** Every car still running has taken the chequered flag; the classification below is final.'
    : '**Provisional result**, filed at the chequered flag: cars still running have yet to take it. This report will be updated with the final classification.';
}

/** The address of a race hour's report: fixed, so corrections keep it. */
export function reportSlug(race: string, hour: number): string {
  return slugify(`${race} after ${hour} ${hour === 1 ? 'hour' : 'hours'}`);
}

export class HourlyDesk {
  /** Per race: every hour up to this one is filed. */
  private readonly filedUpTo = new Map<string, number>();
  /** Races whose result report is final (filed final, or updated from provisional). */
  private readonly finalised = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Set when the remote drafter failed: the desk drafts on this thread from then on. */
  private remoteFailed = false;

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
      let due = HourlyDesk.hoursPassed(race.raceTimeMs, race.race.scheduledDurationMs);
      const declared = HourlyDesk.declaredHour(race.timeline);
      const last = declared ?? HourlyDesk.resultHour(race.race.scheduledDurationMs);
      // Declared by race control: the hour the race stopped in is the last, and it is due now.
      if (declared !== null) due = Math.max(due, declared);
      // The result hour waits for the flag (a report at 24:00:00 would tell a race still running),
      // unless the flag never comes: then it is filed settleMs after the scheduled end.
      if (last !== null && due >= last && this.statusOf(race).status === 'running' && race.raceTimeMs < last * HOUR + this.options.settleMs) due = last - 1;
      const filed = this.filedUpTo.get(race.id) ?? 0;
      for (let hour = filed + 1; hour <= due; hour++) {
        await this.file(race.id, hour);
        this.filedUpTo.set(race.id, hour);
        // One report per turn of the event loop: drafting one takes tens of ms, and a
        // desk catching up eleven hours (a bulk ingest, a restart) must not hold
        // requests for all of them at once (issue 13, /api/health p99 ≤ 100 ms).
        await nextTurn();
      }
      if (last !== null && (this.filedUpTo.get(race.id) ?? 0) >= last && !this.finalised.has(race.id)) await this.finalise(race.id, last);
    }
  }

  /**
   * The hour a stopped race's result was declared in, when race control said
   * so (a `result-declared` decision; a replayed file that stops early sends
   * one): that hour's report is the result. Null otherwise: a red flag alone
   * may still be followed by a restart, so it files nothing early.
   */
  static declaredHour(timeline: RaceTimeline): number | null {
    if (!timeline.decisions.some((d) => d.kind === 'result-declared')) return null;
    const atMs = redFlagResultMs(timeline);
    return atMs === null ? null : Math.min(Math.max(1, Math.ceil(atMs / HOUR)), MAX_RACE_HOURS);
  }

  /** The hour whose report is the result: the last scheduled one (none when the length is unknown). */
  static resultHour(scheduledDurationMs: number | null): number | null {
    return scheduledDurationMs === null ? null : Math.min(Math.max(1, Math.ceil(scheduledDurationMs / HOUR)), MAX_RACE_HOURS);
  }

  private statusOf(race: NonNullable<ReturnType<RaceHub['get']>>): { status: ResultStatus; declaredUnderRed: boolean } {
    const standings = standingsAt(race.timeline, race.raceTimeMs);
    return { status: resultStatus(standings, this.options.settleMs), declaredUnderRed: standings.result?.declared === 'red-flag' };
  }

  /**
   * The provisional result report, once the result is final: drafted again
   * from the data now, filed at the same address (the store marks a published
   * one corrected: "Updated"), the provisional text kept as a draft revision.
   */
  private async finalise(raceId: string, hour: number): Promise<void> {
    const article = await this.content.reportOf(raceId, hour);
    const race = this.hub.get(raceId);
    if (article === null || race === undefined) return;
    if (!article.tags.includes(PROVISIONAL_TAG)) {
      this.finalised.add(raceId);
      return;
    }
    const { status, declaredUnderRed } = this.statusOf(race);
    if (status !== 'final') return;
    const { draft } = await this.draft(race, hour, false);
    await this.content.createArticle(
      {
        slug: `${article.slug}-provisional`,
        kind: 'report',
        status: 'draft',
        headline: article.headline,
        standfirst: article.standfirst,
        bodyMd: article.bodyMd,
        byline: article.byline,
        tags: [REVISION_TAG, raceId],
        race: raceId,
        hour: null,
      },
      Date.now(),
    );
    const updated = await this.content.updateArticle(
      article.id,
      {
        headline: draft.headline,
        standfirst: draft.standfirst,
        bodyMd: `${resultNote(status, declaredUnderRed)}\n\n${draft.bodyMd}`,
        tags: [...article.tags.filter((t) => t !== PROVISIONAL_TAG), FINAL_TAG],
      },
      Date.now(),
    );
    this.finalised.add(raceId);
    this.log.info({ race: raceId, hour, slug: updated?.slug ?? null }, 'result report updated: final result');
  }

  /**
   * The draft of `hour` at the race's current seq and, with `withStatus`, the
   * result's status then: from the remote drafter when there is one (the same
   * draft, off the event loop), else here.
   */
  private async draft(
    race: NonNullable<ReturnType<RaceHub['get']>>,
    hour: number,
    withStatus: boolean,
  ): Promise<{ draft: ReportDraft; status: { status: ResultStatus; declaredUnderRed: boolean } | null }> {
    const remote = this.options.remote ?? null;
    if (remote !== null && !this.remoteFailed) {
      try {
        const answer = await remote({ race: race.id, seq: race.seq, info: race.race, hour, status: withStatus, settleMs: this.options.settleMs });
        if (answer.generatorError !== null) this.log.error({ race: race.id, hour, err: answer.generatorError }, 'report generator failed: plain standings report filed instead');
        return { draft: answer.draft, status: answer.status };
      } catch (error) {
        this.remoteFailed = true;
        this.log.error({ err: error, race: race.id, hour }, 'hourly desk: drafting off the event loop failed; drafting on it from now on');
      }
    }
    return { draft: this.options.drafter(race.timeline, race.race, hour), status: withStatus ? this.statusOf(race) : null };
  }

  private async file(raceId: string, hour: number): Promise<Article | null> {
    const existing = await this.content.reportOf(raceId, hour);
    if (existing !== null) return existing;
    const race = this.hub.get(raceId);
    if (race === undefined) return null;
    const started = performance.now();
    // The result hour says which version of the result it is.
    // A race whose timing stops with no flag and no declaration has no result to mark.
    const { draft, status: found } = await this.draft(race, hour, hour === (HourlyDesk.declaredHour(race.timeline) ?? HourlyDesk.resultHour(race.race.scheduledDurationMs)));
    const result = found === null || found.status === 'running' ? null : found;
    const resultTags = result === null ? [] : [result.status === 'final' ? FINAL_TAG : PROVISIONAL_TAG];
    const bodyMd = result === null ? draft.bodyMd : `${resultNote(result.status, result.declaredUnderRed)}\n\n${draft.bodyMd}`;
    const article = await this.content.createArticle(
      {
        slug: reportSlug(raceId, hour),
        kind: 'report',
        status: this.options.autoPublish ? 'published' : 'draft',
        headline: draft.headline,
        standfirst: draft.standfirst,
        bodyMd,
        byline: this.options.byline,
        tags: ['hourly-reports', raceId, ...draft.classes, ...resultTags],
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
