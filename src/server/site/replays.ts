/**
 * A replay run again (`npm start` twice: the demo race finished in the store
 * restarts as lemans-2019-2, …) files the same hourly reports again. Before
 * the new run starts, the earlier runs' reports leave the news: unpublished
 * (kept as drafts, the archive an editor can still open), so readers see one
 * demo race and one report per hour.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ContentStore } from '../../store/content.js';

/** Unpublishes the reports of `earlierRuns`; resolves to how many left the news. */
export async function archiveEarlierRuns(content: ContentStore, earlierRuns: readonly string[], log: FastifyBaseLogger, nowMs = Date.now()): Promise<number> {
  let archived = 0;
  for (const race of earlierRuns) {
    for (const article of await content.articles({ race, kind: 'report', status: 'published', limit: 1000 })) {
      if ((await content.setStatus(article.id, 'draft', nowMs)) !== null) archived++;
    }
  }
  if (archived > 0) log.info({ races: earlierRuns, archived }, 'replay run again: the earlier runs\' reports are unpublished (kept as drafts)');
  return archived;
}
