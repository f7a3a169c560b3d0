/**
 * Checks on a Postgres store URL that need no connection (no `pg` import:
 * the configuration uses them before anything opens).
 */

/**
 * Databases every Postgres cluster has for itself (PostgreSQL docs, "Template
 * Databases" and "Creating a Database"): `postgres` is the maintenance
 * database tools connect to, `template1` is copied into every new database
 * (Sarthe's tables there would appear in every database created after) and
 * `template0` must never change. Migrating Sarthe's schema into one of them
 * is a mistake, never a setting.
 */
export const CLUSTER_DATABASES = ['postgres', 'template0', 'template1'] as const;

/**
 * The database a `postgres://user@host:port/db` URL names: its path, else
 * (as libpq does) the user name, else `postgres`. Null for a URL that cannot
 * be read.
 */
export function databaseOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const path = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (path !== '') return path;
  const user = decodeURIComponent(parsed.username);
  return user !== '' ? user : 'postgres';
}

/**
 * Why Sarthe refuses to keep its store in this URL's database, naming it, or
 * null when it may. Refused: the cluster's own databases (CLUSTER_DATABASES).
 */
export function refusedDatabase(url: string): string | null {
  const database = databaseOf(url);
  if (database === null || !(CLUSTER_DATABASES as readonly string[]).includes(database)) return null;
  return `the URL names the database "${database}", one Postgres keeps for itself (${CLUSTER_DATABASES.join(', ')}): Sarthe will not create its tables there; create one (createdb sarthe) and name it, e.g. postgres://postgres@127.0.0.1:5432/sarthe`;
}
