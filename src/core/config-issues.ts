// How the config schema's issues read to a user: the key path, what was found, what was
// expected, and a did-you-mean drawn from the keys the schema itself allows there.
import type { core } from 'zod';
import type { Schema } from './config-schema.js';
import { UserError } from './errors.js';

/** The parts of a zod schema's definition that say which keys an object takes where. */
interface Def {
  type: string;
  shape?: Record<string, { def: Def }>;
  innerType?: { def: Def };
  valueType?: { def: Def };
  element?: { def: Def };
}

/** Past optional(), default() and the like, to the schema that says what the value is. */
function unwrapped(def: Def): Def {
  let d = def;
  while (d.innerType) d = d.innerType.def;
  return d;
}

/** The keys the schema allows in the object at `keyPath` (for "did you mean"), read from the schema itself. */
function knownKeysAt(schema: Schema, keyPath: ReadonlyArray<PropertyKey>): string[] {
  let def: Def | undefined = unwrapped((schema as unknown as { def: Def }).def);
  for (const key of keyPath) {
    const child: { def: Def } | undefined =
      def.type === 'object' ? def.shape?.[String(key)] : def.type === 'record' ? def.valueType : def.element;
    if (!child) return [];
    def = unwrapped(child.def);
  }
  return def.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

export function formatIssue(issue: core.$ZodIssue, raw: unknown, file: string, schema: Schema): UserError {
  const keyPath = issue.path;
  const at = (extra: PropertyKey[] = []) => `${file}: ${pathText([...keyPath, ...extra])}`;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const known = knownKeysAt(schema, keyPath);
    const suggestion = didYouMean(key, known);
    return new UserError(
      `unknown key "${key}"${
        issue.keys.length > 1
          ? ` (and ${issue.keys
              .slice(1)
              .map((k) => `"${k}"`)
              .join(', ')})`
          : ''
      }`,
      {
        where: at([key]),
        hint: suggestion ? `did you mean "${suggestion}"?` : `expected one of: ${known.join(', ')}`,
      },
    );
  }
  const found = describeValue(valueAt(raw, keyPath));
  if (issue.code === 'invalid_value') {
    const values = issue.values.map(String);
    const suggestion =
      typeof valueAt(raw, keyPath) === 'string' ? didYouMean(String(valueAt(raw, keyPath)), values) : null;
    return new UserError(`expected one of ${values.join(', ')}, found ${found}`, {
      where: at(),
      hint: suggestion ? `did you mean "${suggestion}"?` : undefined,
    });
  }
  if (issue.code === 'invalid_type') {
    if (valueAt(raw, keyPath) === undefined)
      return new UserError(`missing; expected ${issue.expected === 'array' ? 'a list' : issue.expected}`, {
        where: at(),
      });
    return new UserError(`expected ${issue.expected === 'array' ? 'a list' : issue.expected}, found ${found}`, {
      where: at(),
    });
  }
  if (issue.code === 'invalid_key') {
    return new UserError(`invalid name: ${issue.issues[0]?.message ?? issue.message}`, { where: at() });
  }
  if (issue.code === 'invalid_format') {
    return new UserError(`expected ${issue.message}, found ${found}`, { where: at() });
  }
  if (issue.code === 'too_small') {
    return new UserError(
      `${issue.origin === 'array' ? 'must not be an empty list' : issue.origin === 'string' ? 'must not be empty' : `too small (minimum ${String(issue.minimum)})`}, found ${found}`,
      { where: at() },
    );
  }
  if (issue.code === 'too_big') {
    return new UserError(`too big (maximum ${String(issue.maximum)}), found ${found}`, { where: at() });
  }
  return new UserError(`${issue.message}, found ${found}`, { where: at() });
}

/** `services.query.reads[0].service`: how messages name a key. */
export function pathText(keyPath: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const k of keyPath) out += typeof k === 'number' ? `[${k}]` : out === '' ? String(k) : `.${String(k)}`;
  return out || '(top level)';
}

function valueAt(raw: unknown, keyPath: ReadonlyArray<PropertyKey>): unknown {
  let v = raw;
  for (const k of keyPath) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list ${truncate(JSON.stringify(v))}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${truncate(JSON.stringify(v))}`;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function didYouMean(input: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(input.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(input.length / 3)) ? best : null;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
