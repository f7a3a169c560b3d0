/**
 * The optional entry list: what the lap files do not say about a crew —
 * driver categories (Platinum/Gold/Silver/Bronze), display names, surnames,
 * and team short names ("Hadley" for "Hadley Racing Team Europe").
 *
 * Two formats carry the same facts: JSON (EntryListSchema) and CSV with one
 * row per driver, for people who keep it in a spreadsheet:
 *
 *   car,team_short,driver,driver_number,display_name,surname,category
 *   8,Toyota,Fernando ALONSO,3,Fernando Alonso,Alonso,Platinum
 *
 * `,` or `;` separated; header names are case-insensitive; only `car` and
 * `driver` are required. An Al Kamel results CSV (IMSA's official results)
 * is read too (parseAlKamelResults). Parsing is pure (text in): the CLI
 * reads the file.
 */
import { z } from 'zod';

export const DriverCategorySchema = z.preprocess(
  (value) => (typeof value === 'string' ? CATEGORY_ALIASES[value.trim().toLowerCase()] ?? value : value),
  z.enum(['Platinum', 'Gold', 'Silver', 'Bronze']),
);
export type DriverCategory = z.infer<typeof DriverCategorySchema>;

const CATEGORY_ALIASES: Record<string, string> = {
  platinum: 'Platinum',
  // As the official Petit Le Mans 2024 results write it once (line 13, DRIVER3_LICENSE of #8, Frederik Vesti).
  platinium: 'Platinum',
  p: 'Platinum',
  gold: 'Gold',
  g: 'Gold',
  silver: 'Silver',
  s: 'Silver',
  bronze: 'Bronze',
  b: 'Bronze',
};

const text = z.string().trim().min(1).max(120);

export const EntryListDriverSchema = z.object({
  /** Name as the timing data writes it ("Fernando ALONSO"); matched loosely. */
  name: text,
  /** DRIVER_NUMBER in the lap files (1–9); matched first when given. */
  number: z.number().int().min(1).max(9).optional(),
  displayName: text.optional(),
  surname: text.optional(),
  category: DriverCategorySchema.optional(),
});
export type EntryListDriver = z.infer<typeof EntryListDriverSchema>;

export const EntryListCarSchema = z.object({
  /** Car number as text: "007" is not "7". */
  number: z.string().trim().regex(/^[0-9A-Za-z]{1,8}$/, 'a car number is letters and digits, kept as text'),
  team: text.optional(),
  teamShort: text.optional(),
  drivers: z.array(EntryListDriverSchema).default([]),
});
export type EntryListCar = z.infer<typeof EntryListCarSchema>;

export const EntryListSchema = z.object({
  race: z.string().optional(),
  cars: z.array(EntryListCarSchema),
});
export type EntryList = z.infer<typeof EntryListSchema>;

export class EntryListError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'EntryListError';
  }
}

/** JSON if the text starts with `{`; an Al Kamel results CSV if its header has DRIVER1_FIRSTNAME; else the CSV above. */
export function parseEntryList(source: string, file = 'entry list'): EntryList {
  const body = source.replace(/^\uFEFF/, '');
  if (body.trimStart().startsWith('{')) return parseEntryListJson(body, file);
  const firstLine = body.slice(0, body.indexOf('\n') === -1 ? body.length : body.indexOf('\n'));
  return /(^|[,;])\s*DRIVER1_FIRSTNAME\s*([,;]|$)/i.test(firstLine) ? parseAlKamelResults(body, file) : parseEntryListCsv(body, file);
}

/**
 * An Al Kamel results (classification) CSV as an entry list: the official
 * results of IMSA races (shared/data/real/imsa/*-results.csv, SOURCES.md)
 * carry, per car, NUMBER and TEAM, and per driver n DRIVERn_FIRSTNAME,
 * DRIVERn_SECONDNAME and DRIVERn_LICENSE (Platinum, Gold, Silver, Bronze).
 * `,` or `;` separated, cells quoted where they hold the separator
 * ("Brasilia, Brazil"). A licence that is not one of the four, a blank or
 * malformed car number, or a name too long is an EntryListError naming the
 * file, the line and the column (`line 5, column 29 (DRIVER1_LICENSE): …`);
 * a blank licence leaves the category unknown.
 */
export function parseAlKamelResults(source: string, file = 'results'): EntryList {
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerLine = lines[0] ?? '';
  const separator = headerLine.split(';').length > headerLine.split(',').length ? ';' : ',';
  const header = splitCsvLine(headerLine, separator).map((h) => h.trim().toUpperCase());
  const number = header.indexOf('NUMBER');
  const team = header.indexOf('TEAM');
  if (number < 0) throw new EntryListError(file, 'line 1: an Al Kamel results file needs a NUMBER column');
  const driverColumns: Array<{ first: number; second: number; license: number }> = [];
  for (let n = 1; header.includes(`DRIVER${n}_FIRSTNAME`); n++) {
    driverColumns.push({
      first: header.indexOf(`DRIVER${n}_FIRSTNAME`),
      second: header.indexOf(`DRIVER${n}_SECONDNAME`),
      license: header.indexOf(`DRIVER${n}_LICENSE`),
    });
  }
  /** "line 5, column 2 (NUMBER)": where a cell is, as a spreadsheet shows it (1-based). */
  const where = (line: number, index: number) => `line ${line}, column ${index + 1} (${header[index] ?? '?'})`;
  const cars: EntryListCar[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const lineNumber = i + 2;
    const cells = splitCsvLine(line, separator).map((c) => c.trim());
    const cell = (index: number) => (index >= 0 && cells[index] !== undefined && cells[index] !== '' ? cells[index] : undefined);
    const car = cell(number);
    if (car === undefined) throw new EntryListError(file, `${where(lineNumber, number)}: NUMBER is blank`);
    const drivers = driverColumns.flatMap(({ first, second, license }) => {
      const name = [cell(first), cell(second)].filter((x) => x !== undefined).join(' ');
      if (name === '') return [];
      const category = cell(license);
      if (category !== undefined && !DriverCategorySchema.safeParse(category).success) {
        throw new EntryListError(file, `${where(lineNumber, license)}: expected Platinum, Gold, Silver or Bronze, got "${category}"`);
      }
      return [{ columns: { name: first, displayName: first, surname: second, category: license }, driver: withoutBlanks({ name, displayName: name, surname: cell(second), category }) }];
    });
    const parsed = EntryListCarSchema.safeParse(withoutBlanks({ number: car, team: cell(team), drivers: drivers.map((d) => d.driver) }));
    if (!parsed.success) {
      // The field's column: NUMBER, TEAM, or the driver's own DRIVERn_… cell.
      const issue = parsed.error.issues[0]!;
      const [field, index, driverField] = issue.path;
      const column =
        field === 'number' ? number : field === 'team' ? team
        : drivers[Number(index)]?.columns[driverField as 'name' | 'displayName' | 'surname' | 'category'] ?? -1;
      throw new EntryListError(file, `${where(lineNumber, column)}: ${issue.message}`);
    }
    cars.push(parsed.data);
  });
  return { cars };
}

export function parseEntryListJson(source: string, file = 'entry list'): EntryList {
  let raw: unknown;
  try {
    raw = JSON.parse(source.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new EntryListError(file, `not valid JSON: ${(error as Error).message}`);
  }
  const result = EntryListSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new EntryListError(file, `${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return result.data;
}

const CSV_COLUMNS = {
  car: ['car', 'number', 'car_number', 'no'],
  team: ['team'],
  teamShort: ['team_short', 'teamshort', 'short_team', 'team_short_name'],
  driver: ['driver', 'driver_name', 'name'],
  driverNumber: ['driver_number', 'driver_no'],
  displayName: ['display_name', 'displayname'],
  surname: ['surname', 'last_name'],
  category: ['category', 'driver_category', 'rating'],
} as const;

export function parseEntryListCsv(source: string, file = 'entry list'): EntryList {
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerLine = lines[0] ?? '';
  const separator = headerLine.includes(';') ? ';' : ',';
  const header = splitCsvLine(headerLine, separator).map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, '_'));
  const column = (names: readonly string[]) => header.findIndex((h) => names.includes(h));
  const at = Object.fromEntries(Object.entries(CSV_COLUMNS).map(([key, names]) => [key, column(names)])) as Record<
    keyof typeof CSV_COLUMNS,
    number
  >;
  if (at.car < 0 || at.driver < 0) {
    throw new EntryListError(file, 'line 1: the header needs at least the columns "car" and "driver"');
  }
  const cars = new Map<string, { number: string; team?: string; teamShort?: string; drivers: unknown[] }>();
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const cells = splitCsvLine(line, separator).map((c) => c.trim());
    const cell = (index: number) => (index >= 0 && cells[index] !== undefined && cells[index] !== '' ? cells[index] : undefined);
    const number = cell(at.car);
    const name = cell(at.driver);
    /** "line 5, column 3 (category)": the cell a bad value is in (1-based, as a spreadsheet shows it). */
    const where = (index: number) => `line ${i + 2}, column ${index + 1} (${header[index] ?? '?'})`;
    if (number === undefined) throw new EntryListError(file, `${where(at.car)}: the car number is blank`);
    const carCheck = EntryListCarSchema.shape.number.safeParse(number);
    if (!carCheck.success) throw new EntryListError(file, `${where(at.car)}: ${carCheck.error.issues[0]!.message}`);
    let car = cars.get(number);
    if (car === undefined) cars.set(number, (car = { number, drivers: [] }));
    car.team ??= cell(at.team);
    car.teamShort ??= cell(at.teamShort);
    if (name === undefined) return; // a row that only names the team
    const driverNumber = cell(at.driverNumber);
    const driver = withoutBlanks({
      name,
      number: driverNumber === undefined ? undefined : Number(driverNumber),
      displayName: cell(at.displayName),
      surname: cell(at.surname),
      category: cell(at.category),
    });
    const checked = EntryListDriverSchema.safeParse(driver);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      const field = issue.path[0] as 'name' | 'number' | 'displayName' | 'surname' | 'category';
      const index = { name: at.driver, number: at.driverNumber, displayName: at.displayName, surname: at.surname, category: at.category }[field] ?? -1;
      throw new EntryListError(file, `${where(index)}: ${issue.message}`);
    }
    car.drivers.push(driver);
  });
  const result = EntryListSchema.safeParse({ cars: [...cars.values()].map(withoutBlanks) });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new EntryListError(file, `${issue.path.join('.')}: ${issue.message}`);
  }
  return result.data;
}

/** A blank cell is an absent field, as in the JSON form. */
function withoutBlanks<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}

/** Splits one CSV line; double quotes protect separators ("Racing, Inc."). */
function splitCsvLine(line: string, separator: string): string[] {
  const cells: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (c === '"') quoted = false;
      else current += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) {
      cells.push(current);
      current = '';
    } else current += c;
  }
  cells.push(current);
  return cells;
}
