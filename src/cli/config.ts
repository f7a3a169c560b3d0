/**
 * The configuration of `sarthe serve`, validated at start against one
 * schema: its flags and the environment (PORT, LOG_LEVEL, SARTHE_*). A bad
 * value stops the start before anything opens, with one line per problem
 * naming the flag or variable, what was expected and what was given (never
 * echoing a secret). Exit code 2 (a usage error, errors.ts).
 *
 *   SARTHE_INGEST_TOKEN    bearer token for ingest; unset = ingest disabled; set but blank is an error
 *   SARTHE_ADMIN_EMAIL     first admin of the news site (with SARTHE_ADMIN_PASSWORD, 10–200 characters)
 *   SARTHE_PUBLIC_URL      absolute http(s) address used in feeds and OpenGraph tags
 *   SARTHE_RATE_LIMIT      public reads per minute per address (default 1200; 0 = no limit)
 *   SARTHE_CORS_ORIGINS    origins allowed to read the API from a browser: * (default) or a comma list
 *   SARTHE_SHUTDOWN_MS     longest drain on SIGTERM before open connections are cut (default 10000)
 *   SARTHE_ROLE            all (default: one process), ingest or edge (--role; docs/architecture.md, "Roles")
 *   SARTHE_BUS             nats://host:port[,nats://…]: the JetStream bus between ingest and edges (--bus); unset = in-process
 *   SARTHE_DEPLOYMENT      this deployment's name on the bus (--deployment, default sarthe): its stream and subjects, apart from any other on the same NATS
 *   SARTHE_STORE           postgres://user[:password]@host[:port]/db: events and content in Postgres (= --store); unset = the SQLite file (--db);
 *                          never the cluster's own postgres, template0 or template1 (store/postgres/url.ts)
 *   PORT, LOG_LEVEL        used when --port / --log-level are not given
 */
import { z } from 'zod';
import { DEFAULT_DEPLOYMENT, DEPLOYMENT_PATTERN } from '../bus/index.js';
import { parseRaceTime } from '../model/time.js';
import { DEFAULT_OPERATIONS } from '../server/operations.js';
import { DEFAULT_SHUTDOWN_MS } from '../server/shutdown.js';
import { RACE_ID_PATTERN } from '../store/index.js';
import { refusedDatabase } from '../store/postgres/url.js';
import { UsageError } from './errors.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** `sarthe serve --role`: all = one process; ingest = sources, ingest API, store, shares commits; edge = follows, serves viewers. */
export const ROLES = ['all', 'ingest', 'edge'] as const;
export type Role = (typeof ROLES)[number];

/** The variables this schema knows; another SARTHE_* is reported as a likely typo. */
export const KNOWN_SARTHE_VARIABLES = [
  'SARTHE_INGEST_TOKEN',
  'SARTHE_ADMIN_EMAIL',
  'SARTHE_ADMIN_PASSWORD',
  'SARTHE_PUBLIC_URL',
  'SARTHE_RATE_LIMIT',
  'SARTHE_CORS_ORIGINS',
  'SARTHE_SHUTDOWN_MS',
  'SARTHE_ROLE',
  'SARTHE_BUS',
  'SARTHE_DEPLOYMENT',
  'SARTHE_STORE',
  // Used elsewhere: CLI stack traces, the Vite dev proxy, the tests' data folder.
  'SARTHE_DEBUG',
  'SARTHE_API',
  'SARTHE_REAL_DATA',
];

const wholeNumber = (what: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `expected ${what}: a whole number ${min}–${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected ${what}: a whole number ${min}–${max}`).max(max, `expected ${what}: a whole number ${min}–${max}`));

const positiveNumber = (what: string, min: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, `expected ${what}: a number of at least ${min}`)
    .transform(Number)
    .pipe(z.number().min(min, `expected ${what}: a number of at least ${min}`));

const httpUrl = z
  .string()
  .trim()
  .refine((text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'expected an absolute http:// or https:// address, e.g. https://sarthe.example.com');

/** A Postgres connection URL naming its database (the password, if any, is never echoed: SECRETS). */
const postgresUrl = z
  .string()
  .trim()
  .refine((text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '' && /^\/[^/]+$/.test(url.pathname);
    } catch {
      return false;
    }
  }, { message: 'expected a Postgres URL naming a database, e.g. postgres://postgres@127.0.0.1:5432/sarthe (unset it to use the SQLite file of --db)', abort: true })
  // The cluster's own databases (postgres, template0/1): named in the message, the URL's password is not.
  .superRefine((text, ctx) => {
    const problem = refusedDatabase(text);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Each key is the name a user sets: a flag (--port) or a variable (PORT). Values are the raw text. */
const ServeConfigSchema = z
  .object({
    '--port': wholeNumber('a TCP port', 0, 65535),
    '--host': z.string().trim().min(1, 'expected an address to listen on, e.g. localhost or 0.0.0.0'),
    '--db': z.string().trim().min(1, 'expected a file name for the event store'),
    '--store': postgresUrl.optional(),
    '--speed': positiveNumber('race seconds per second', 0.001),
    '--tick': wholeNumber('wall milliseconds between two replay commits', 10, 60_000),
    '--from': z.string().transform((text, ctx) => {
      try {
        return parseRaceTime(text) ?? 0;
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `expected a race time such as 20h or 5:30 (${(error as Error).message})` });
        return z.NEVER;
      }
    }),
    '--race': z.string().regex(RACE_ID_PATTERN, 'expected a race id: lowercase letters, digits, - and _, e.g. lemans-2019').optional(),
    '--reports': z.enum(['publish', 'review'], { error: 'expected publish or review' }),
    '--synchronous': z.enum(['full', 'normal'], { error: 'expected full or normal' }),
    '--log-level': z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }),
    '--role': z.enum(ROLES, { error: 'expected all, ingest or edge' }).default('all'),
    '--bus': z
      .string()
      .trim()
      .refine((text) => text.split(',').every((url) => /^nats:\/\/([^\s/,@]+@)?[^\s/,:@]+(:\d{1,5})?$/.test(url.trim())), 'expected a NATS address, e.g. nats://127.0.0.1:4222 (several: comma-separated)')
      .optional(),
    '--deployment': z
      .string()
      .trim()
      .regex(DEPLOYMENT_PATTERN, 'expected a deployment name: lowercase letters, digits, - and _ (1–32 characters; no dots: it names NATS subjects), e.g. prod or staging')
      .default(DEFAULT_DEPLOYMENT),
    '--edge-catch-up': wholeNumber('wall milliseconds between two comparisons of an edge with the store (0: never)', 0, 3_600_000).optional(),
    SARTHE_INGEST_TOKEN: z
      .string()
      .refine((t) => t.trim() !== '', { message: 'is set but blank: no request could ever match it (unset it to disable ingest)', abort: true })
      .refine((t) => /^\S{1,200}$/.test(t), 'expected a bearer token: 1–200 characters without spaces')
      .optional(),
    SARTHE_ADMIN_EMAIL: z.email('expected an e-mail address, e.g. you@example.com').optional(),
    SARTHE_ADMIN_PASSWORD: z.string().min(10, 'expected at least 10 characters').max(200, 'expected at most 200 characters').optional(),
    SARTHE_PUBLIC_URL: httpUrl.optional(),
    SARTHE_RATE_LIMIT: wholeNumber('requests per minute per address (0: no limit)', 0, 1_000_000).optional(),
    SARTHE_CORS_ORIGINS: z
      .string()
      .transform((text) => text.split(',').map((o) => o.trim()).filter((o) => o !== ''))
      .refine((origins) => origins.length > 0 && origins.every((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o)), 'expected * or a comma list of origins like https://site.example (no path)')
      .optional(),
    SARTHE_SHUTDOWN_MS: wholeNumber('milliseconds', 0, 600_000).optional(),
  });

/** Never repeated in an error message. */
const SECRETS = new Set(['SARTHE_INGEST_TOKEN', 'SARTHE_ADMIN_PASSWORD', '--store']);

export type ServeConfig = z.output<typeof ServeConfigSchema> & {
  rateLimitPerMinute: number;
  corsOrigins: string[];
  shutdownMs: number;
  /** Wall ms between two comparisons of an edge's races with the store (0: never). */
  edgeCatchUpMs: number;
};

/** Default of --edge-catch-up: the safety net under the bus looks at the store every 10 s (one query per edge). */
export const DEFAULT_EDGE_CATCH_UP_MS = 10_000;

/** The flags' raw values, and which were given on the command line (commander's getOptionValueSource). */
export interface ServeFlags {
  values: Record<string, unknown>;
  given: (name: string) => boolean;
}

export class ConfigError extends UsageError {
  constructor(readonly problems: string[]) {
    super(`bad configuration, nothing started:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the flags and the environment together; throws ConfigError with
 * every problem found. PORT and LOG_LEVEL apply when their flag is not given.
 */
export function serveConfig(flags: ServeFlags, env: NodeJS.ProcessEnv): { config: ServeConfig; warnings: string[] } {
  const raw: Record<string, unknown> = {};
  const source: Record<string, string> = {};
  /** Variables set but overridden by their flag: still checked, so a broken PORT is found before the day the flag goes. */
  const overridden: Array<[string, string]> = [];
  const flag = (name: string, key: string, variable?: string) => {
    const fromEnv = variable !== undefined && !flags.given(key) ? env[variable] : undefined;
    raw[name] = fromEnv ?? flags.values[key];
    source[name] = fromEnv !== undefined ? variable! : name;
    if (variable !== undefined && flags.given(key) && env[variable] !== undefined) overridden.push([name, variable]);
  };
  flag('--port', 'port', 'PORT');
  flag('--host', 'host');
  flag('--db', 'db');
  flag('--store', 'store', 'SARTHE_STORE');
  flag('--speed', 'speed');
  flag('--tick', 'tick');
  flag('--from', 'from');
  flag('--race', 'race');
  flag('--reports', 'reports');
  flag('--synchronous', 'synchronous');
  flag('--log-level', 'logLevel', 'LOG_LEVEL');
  flag('--role', 'role', 'SARTHE_ROLE');
  flag('--bus', 'bus', 'SARTHE_BUS');
  flag('--deployment', 'deployment', 'SARTHE_DEPLOYMENT');
  flag('--edge-catch-up', 'edgeCatchUp');
  for (const name of KNOWN_SARTHE_VARIABLES) {
    if (env[name] !== undefined) {
      raw[name] = env[name];
      source[name] = name;
    }
  }
  const result = ServeConfigSchema.safeParse(raw);
  const problems: string[] = [];
  if ((raw.SARTHE_ADMIN_EMAIL === undefined) !== (raw.SARTHE_ADMIN_PASSWORD === undefined)) {
    const missing = raw.SARTHE_ADMIN_EMAIL === undefined ? 'SARTHE_ADMIN_EMAIL' : 'SARTHE_ADMIN_PASSWORD';
    problems.push(`${missing}: is needed too: the first admin takes both an e-mail address and a password`);
  }
  const shape: Record<string, z.ZodType> = ServeConfigSchema.shape;
  for (const [name, variable] of overridden) {
    const checked = shape[name]?.safeParse(env[variable]);
    if (checked !== undefined && !checked.success) {
      // A store or bus URL may hold a password: only plain values are echoed.
      const shown = ['PORT', 'LOG_LEVEL', 'SARTHE_ROLE', 'SARTHE_DEPLOYMENT'].includes(variable) ? ` (got ${JSON.stringify(env[variable])})` : '';
      problems.push(`${variable}: ${checked.error.issues[0]?.message ?? 'invalid'}${shown}; ${name} overrides it, but it is wrong: fix or unset it`);
    }
  }
  if (result.success && result.data['--role'] !== 'all' && result.data['--bus'] === undefined) {
    problems.push(`${source['--role']}: ${result.data['--role']} needs the bus between the ingest process and the edges: give --bus nats://host:4222 (or SARTHE_BUS)`);
  }
  if (!result.success || problems.length > 0) {
    throw new ConfigError([
      ...(result.error?.issues ?? []).map((issue) => {
        const key = String(issue.path[0] ?? '');
        const name = source[key] ?? key;
        const given = raw[key];
        const shown = SECRETS.has(key) || given === undefined ? '' : ` (got ${JSON.stringify(given)})`;
        return `${name}: ${issue.message}${shown}`;
      }),
      ...problems,
    ]);
  }
  const warnings = Object.keys(env)
    .filter((name) => name.startsWith('SARTHE_') && !KNOWN_SARTHE_VARIABLES.includes(name))
    .map((name) => `${name} is not a Sarthe setting (known: ${KNOWN_SARTHE_VARIABLES.slice(0, KNOWN_SARTHE_VARIABLES.indexOf('SARTHE_DEBUG')).join(', ')}): ignored`);
  const c = result.data!;
  const deploymentGiven = flags.given('deployment') || env.SARTHE_DEPLOYMENT !== undefined;
  if (deploymentGiven && c['--bus'] === undefined) warnings.push(`${source['--deployment']}: names a deployment on the bus, and there is no bus (--bus / SARTHE_BUS): ignored`);
  return {
    config: {
      ...c,
      rateLimitPerMinute: c.SARTHE_RATE_LIMIT ?? DEFAULT_OPERATIONS.rateLimitPerMinute,
      corsOrigins: c.SARTHE_CORS_ORIGINS ?? DEFAULT_OPERATIONS.corsOrigins,
      shutdownMs: c.SARTHE_SHUTDOWN_MS ?? DEFAULT_SHUTDOWN_MS,
      edgeCatchUpMs: c['--edge-catch-up'] ?? DEFAULT_EDGE_CATCH_UP_MS,
    },
    warnings,
  };
}
