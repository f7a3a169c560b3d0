/**
 * The page's first frame, for the work that can wait until the timing
 * screen's first rows are on screen (bench:web firstPaintMs): the rows below
 * the fold, the race feed, the entry list's requests. On a cold load the
 * first frame's style, layout and paint cover everything in the DOM, seen or
 * not, and on the shared 2-core machine that frame was most of the 900–1,200
 * ms to first paint (bench/README.md).
 */

let done = false;

/**
 * Resolves in the first task after the page's first frame: an animation
 * frame callback runs just before that frame's style, layout and paint, and
 * a task it queues runs after them. Started when this module is evaluated,
 * i.e. before the app's first render, so "the first frame" is the one that
 * draws it. A hidden page (a background tab) gets no animation frames and
 * paints nothing: there it resolves at once, or when its visibility changes.
 */
export const afterFirstFrame: Promise<void> = new Promise<void>((resolve) => {
  const finish = (): void => {
    done = true;
    resolve();
  };
  // Node (unit tests import the modules that wait on it) has no document: nothing to wait for.
  if (typeof document === 'undefined' || document.visibilityState === 'hidden') {
    finish();
    return;
  }
  requestAnimationFrame(() => setTimeout(finish, 0));
  document.addEventListener('visibilitychange', finish, { once: true });
});

/** Whether the first frame has been painted (afterFirstFrame resolved). */
export function firstFrameDone(): boolean {
  return done;
}
