/**
 * Class colours as number panels and timing screens show them
 * (../shared/specs/endurance-rules.md §2), and the usual order of the classes
 * from fastest to slowest so tabs do not shuffle when a GT passes a prototype.
 * Panel colours with white ink keep a 4.5:1 contrast (WCAG AA; the GT green
 * is darker than the rules' for that reason). The one definition: the web app (tabs, table, charts) and the server's
 * pages (ticker, leader boxes) both read it.
 */

interface ClassStyle {
  /** Panel colour. */
  colour: string;
  /** Text colour that reads on the panel. */
  ink: string;
  /** Fastest class first. */
  rank: number;
  /** Short label for narrow screens. */
  short: string;
}

const KNOWN: Array<[RegExp, ClassStyle]> = [
  [/^hypercar$|^lmh$|^hy$/, { colour: '#d7141a', ink: '#fff', rank: 0, short: 'HY' }],
  [/^lmdh$/, { colour: '#d7141a', ink: '#fff', rank: 1, short: 'LMDh' }],
  [/^lmp1/, { colour: '#d7141a', ink: '#fff', rank: 2, short: 'P1' }],
  [/^dpi$|^gtp$/, { colour: '#d7141a', ink: '#fff', rank: 3, short: 'GTP' }],
  [/^lmp2/, { colour: '#1f63e0', ink: '#fff', rank: 4, short: 'P2' }],
  [/^lmp3/, { colour: '#7b3fbf', ink: '#fff', rank: 5, short: 'P3' }],
  [/^lmgtepro$|^gtepro$|^gtlm$/, { colour: '#0b7a3b', ink: '#fff', rank: 6, short: 'Pro' }],
  [/^lmgteam$|^gteam$/, { colour: '#f08a00', ink: '#111', rank: 7, short: 'Am' }],
  [/^lmgt3$|^gtd/, { colour: '#0b7a3b', ink: '#fff', rank: 8, short: 'GT3' }],
  [/^innovative|^garage56|^inv/, { colour: '#f2f2f2', ink: '#111', rank: 9, short: 'INV' }],
];

/** For classes the rules do not list: distinct, readable (white on each ≥ 4.5:1, WCAG AA), stable per name. */
const FALLBACK = ['#08777a', '#9b2226', '#5e548e', '#bb3e03', '#3a5a40', '#6d597a'];

function key(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const cache = new Map<string, ClassStyle>();

export function classStyle(name: string): ClassStyle {
  let style = cache.get(name);
  if (style !== undefined) return style;
  const k = key(name);
  style = KNOWN.find(([pattern]) => pattern.test(k))?.[1];
  if (style === undefined) {
    let hash = 0;
    for (let i = 0; i < k.length; i++) hash = (hash * 31 + k.charCodeAt(i)) >>> 0;
    style = { colour: FALLBACK[hash % FALLBACK.length]!, ink: '#fff', rank: 50, short: name.slice(0, 4) };
  }
  cache.set(name, style);
  return style;
}

/** Classes sorted fastest first; unknown classes keep their order of appearance. */
export function sortClasses(classes: Iterable<string>): string[] {
  const list = [...classes];
  return list
    .map((name, i) => ({ name, i, rank: classStyle(name).rank }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((c) => c.name);
}
