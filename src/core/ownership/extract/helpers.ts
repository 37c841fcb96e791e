// Config `queryHelpers` (calls that take a table name): one match for TS/JS, Go and Python.
// `*` is any characters; case and `_` are ignored, so `simple_insert*` matches simple_insert_many
// (Python), simpleInsertMany (TS) and SimpleInsert (Go). A pattern with a dot
// (`db_pool.simple_insert`) matches the tail of the dotted callee, any other its last name.
import type { NameRef } from '../refs.js';
import type { QueryHelper } from '../../types.js';

export interface HelperMatcher {
  helper: QueryHelper;
  test: (callee: string) => boolean;
}

const compiled = new WeakMap<QueryHelper[], HelperMatcher[]>();
const filters = new WeakMap<QueryHelper[], RegExp | null>();

const escapeRe = (c: string) => c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** The regex source of a pattern: every character but `*` and `.` may be followed by `_`, `*` is `.*`. */
function body(pattern: string): string {
  return [...pattern.replace(/_/g, '')]
    .map((c) => (c === '*' ? '.*' : c === '.' ? '\\.' : `${escapeRe(c)}_?`))
    .join('');
}

export function helperMatchers(helpers: QueryHelper[]): HelperMatcher[] {
  let out = compiled.get(helpers);
  if (!out) {
    out = helpers.map((helper) => {
      const dotted = helper.call.includes('.');
      const re = new RegExp(dotted ? `(?:^|\\.)${body(helper.call)}$` : `^${body(helper.call)}$`, 'i');
      return { helper, test: (callee) => re.test(dotted ? callee : lastName(callee)) };
    });
    compiled.set(helpers, out);
  }
  return out;
}

/** Cheap test on a whole file before parsing it: could any helper be called in it? */
export function mentionsHelper(text: string, helpers: QueryHelper[]): boolean {
  let re = filters.get(helpers);
  if (re === undefined) {
    // the longest literal piece of each pattern's last name
    const parts = helpers.map((h) =>
      body(
        lastName(h.call)
          .split('*')
          .reduce((a, b) => (b.length > a.length ? b : a)),
      ),
    );
    // a helper named `*` alone: every file is worth parsing
    re = parts.length === 0 ? null : parts.some((p) => p === '') ? /./ : new RegExp(parts.join('|'), 'i');
    filters.set(helpers, re);
  }
  return re?.test(text) ?? false;
}

/** A callee as written (`this.db?.simpleInsert`, `self.db_pool.simple_insert`) in the form the matchers take. */
export function calleeOf(text: string): string {
  return text.replace(/\s+/g, '').replace(/\?\./g, '.');
}

export function lastName(callee: string): string {
  return callee.slice(callee.lastIndexOf('.') + 1);
}

/**
 * The table names passed to helpers in `calls`: `argument(call, which)` reads the argument
 * `which` (a position, or a keyword / property name) as a string, or gives null.
 */
export function helperNames<C extends { callee: string }>(
  matchers: HelperMatcher[],
  calls: Iterable<C>,
  argument: (call: C, which: string | number) => { value: string; offset: number } | null,
): NameRef[] {
  const out: NameRef[] = [];
  if (matchers.length === 0) return out;
  for (const call of calls) {
    for (const m of matchers) {
      if (!m.test(call.callee)) continue;
      const s = argument(call, m.helper.table);
      if (s)
        out.push({ name: s.value, access: m.helper.access, offset: s.offset, via: `${lastName(call.callee)} helper` });
    }
  }
  return out;
}
