// A statement built and compiled by Kysely once per shape, then run with each request's values.
// Building a query (builders, parsers, frozen operation nodes) and compiling it to SQL cost the
// portal views ≈0.15–0.25 ms of CPU per statement in a profile, every request, for SQL that is the
// same each time; only the values change (docs/architecture.md, performance).
//
// The builder is called with stand-ins for the values (`args`), twice with different ones, and
// compiled: every parameter of the SQL must be one of the stand-ins or a constant that is the
// same in both builds. A value the builder derives from an argument (`at - 1 day`, `id + '%'`,
// a branch on it) would differ between the builds and is refused when the template is made, so
// a template can never run with a value of the first request baked in. What the SQL's shape
// depends on (a limit, an optional filter) goes into `shape`, and each shape has its template.
import { createQueryId, type Compilable, type CompiledQuery, type Kysely, type QueryResult } from 'kysely';

/** The values a template is run with: strings and dates, passed to the SQL as parameters. */
export type TemplateArgs = Record<string, string | Date>;

type Slot = { arg: string } | { value: unknown };

interface Template {
  sql: string;
  query: CompiledQuery['query'];
  slots: Slot[];
}

let generation = 0;
/** Stand-ins: strings no caller sends (a NUL is refused at the edge), dates no clock reads (year 1 + n ms). */
function standIns<A extends TemplateArgs>(args: A): A {
  const n = ++generation;
  const out: TemplateArgs = {};
  let i = 0;
  for (const key of Object.keys(args)) {
    out[key] = args[key] instanceof Date ? new Date(Date.UTC(1, 0, 1) + n * 1000 + i++) : `\u0000${n}:${key}\u0000`;
  }
  return out as A;
}

const same = (a: unknown, b: unknown) =>
  a === b || (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : JSON.stringify(a) === JSON.stringify(b));

function makeTemplate<A extends TemplateArgs>(build: (args: A) => Compilable<unknown>, args: A): Template {
  const one = standIns(args);
  const two = standIns(args);
  const a = build(one).compile();
  const b = build(two).compile();
  if (a.sql !== b.sql) throw new Error('statement template: the SQL depends on an argument; put what it depends on in the shape');
  const keys = Object.keys(args);
  const slots = a.parameters.map((value, i): Slot => {
    const key = keys.find((k) => one[k] === value);
    if (key !== undefined) {
      if (two[key] !== b.parameters[i]) throw new Error(`statement template: parameter ${i + 1} is not the same argument in both builds`);
      return { arg: key };
    }
    if (!same(value, b.parameters[i])) throw new Error(`statement template: parameter ${i + 1} is derived from an argument; pass it as an argument`);
    return { value };
  });
  return { sql: a.sql, query: a.query, slots };
}

/**
 * `run(shape, args)`: the statement `build(args)` would make, with its SQL from the shape's
 * template. `build` must not read anything but `args` (and constants): it runs twice, with
 * stand-ins, once per shape.
 */
export function statementTemplate<A extends TemplateArgs, R>(db: Kysely<any>, build: (args: A) => Compilable<R>) {
  const templates = new Map<string, Template>();
  return async (shape: string, args: A): Promise<QueryResult<R>> => {
    let template = templates.get(shape);
    if (!template) {
      template = makeTemplate(build, args);
      templates.set(shape, template);
    }
    const parameters = template.slots.map((slot) => ('arg' in slot ? args[slot.arg] : slot.value));
    return db.executeQuery<R>({ sql: template.sql, query: template.query, parameters, queryId: createQueryId() });
  };
}
