// A string that may hold SQL, with the way back from each of its characters to the host file.
import type { NameRef } from '../refs.js';

export interface SqlCandidate {
  /** the cooked text (escapes decoded, `${}` / `{}` replaced by `$n` placeholders) */
  text: string;
  /** file offset of each character of `text`; null when text is a verbatim slice at `base` */
  map: Int32Array | null;
  /** file offset of `text[0]` when `map` is null */
  base: number;
  /** the literal had interpolations (template `${}`, f-string `{}`) */
  interpolated: boolean;
  /**
   * for text folded from several literals and other expressions: the literals that start like
   * SQL, each alone, tried when the whole does not parse (`"SELECT … FROM orders " + where`)
   */
  parts?: SqlCandidate[];
}

/** What a host-language extractor finds in one file: SQL strings, and table names outside SQL. */
export interface Extracted {
  sql: SqlCandidate[];
  names: NameRef[];
}

/** Builds a cooked string and its offset map one piece at a time. */
export class CookedBuilder {
  private readonly chars: string[] = [];
  private readonly offsets: number[] = [];
  interpolated = false;
  private placeholders = 0;

  push(text: string, fileOffset: number): void {
    for (let i = 0; i < text.length; i++) {
      this.chars.push(text[i]);
      this.offsets.push(fileOffset);
    }
  }

  /** Copy `raw[from, to)` verbatim, each character mapping to its own offset. */
  pushVerbatim(raw: string, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      this.chars.push(raw[i]);
      this.offsets.push(i);
    }
  }

  /** An interpolation becomes a bind parameter so that the rest still parses. */
  placeholder(fileOffset: number): void {
    this.interpolated = true;
    this.push(`$${++this.placeholders}`, fileOffset);
  }

  build(): SqlCandidate {
    return { text: this.chars.join(''), map: Int32Array.from(this.offsets), base: 0, interpolated: this.interpolated };
  }
}

/** Decodes a backslash escape at `raw[i]` (the backslash); returns [cooked, next index]. */
export function decodeEscape(raw: string, i: number, lang: 'js' | 'go' | 'py'): [string, number] {
  const ch = raw[i + 1];
  if (ch === undefined) return ['\\', i + 1];
  const simple: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    b: '\b',
    f: '\f',
    v: '\v',
    a: '\x07',
    '\\': '\\',
    "'": "'",
    '"': '"',
    '`': '`',
    $: '$',
    '{': '{',
    '}': '}',
  };
  if (ch === '\n') return ['', i + 2]; // line continuation
  if (ch === '\r') return ['', raw[i + 2] === '\n' ? i + 3 : i + 2];
  if (ch === 'x') return hex(raw, i + 2, 2);
  if (ch === 'u' && raw[i + 2] === '{' && lang === 'js') {
    const end = raw.indexOf('}', i + 3);
    if (end > 0) return [codePoint(raw.slice(i + 3, end)), end + 1];
  }
  if (ch === 'u') return hex(raw, i + 2, 4);
  if (ch === 'U' && lang !== 'js') return hex(raw, i + 2, 8);
  if (ch >= '0' && ch <= '7' && lang !== 'js') {
    let j = i + 1;
    while (j < i + 4 && raw[j] >= '0' && raw[j] <= '7') j++;
    return [String.fromCharCode(parseInt(raw.slice(i + 1, j), 8) & 0xff), j];
  }
  if (ch === '0') return ['\0', i + 2];
  if (ch in simple) return [simple[ch], i + 2];
  // Unknown escape: JS drops the backslash, Python and Go keep it (Go would reject it).
  return lang === 'js' ? [ch, i + 2] : [`\\${ch}`, i + 2];
}

function hex(raw: string, from: number, len: number): [string, number] {
  const digits = raw.slice(from, from + len);
  if (!/^[0-9a-fA-F]+$/.test(digits)) return ['?', from];
  return [codePoint(digits), from + len];
}

function codePoint(hexDigits: string): string {
  const cp = parseInt(hexDigits, 16);
  return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : '?';
}

/** A quoted literal's text: verbatim when it has no escapes (the common case), else cooked. */
export function literal(raw: string, from: number, to: number, lang: 'js' | 'go' | 'py'): SqlCandidate {
  const slash = raw.indexOf('\\', from);
  return slash < 0 || slash >= to ? verbatim(raw, from, to) : cookEscaped(raw, from, to, lang).build();
}

/** Cooks `raw[from, to)` of a quoted literal, decoding backslash escapes. */
export function cookEscaped(
  raw: string,
  from: number,
  to: number,
  lang: 'js' | 'go' | 'py',
  b = new CookedBuilder(),
): CookedBuilder {
  let i = from;
  while (i < to) {
    if (raw[i] === '\\') {
      const [cooked, next] = decodeEscape(raw, i, lang);
      b.push(cooked, i);
      i = Math.min(next, to);
    } else {
      b.pushVerbatim(raw, i, i + 1);
      i++;
    }
  }
  return b;
}

/** A verbatim slice (no escapes): a SQL file or a raw string. */
export function verbatim(raw: string, from: number, to: number): SqlCandidate {
  return { text: raw.slice(from, to), map: null, base: from, interpolated: false };
}

/** File offset of character `i` of a candidate. */
export function fileOffset(c: SqlCandidate, i: number): number {
  if (!c.map) return c.base + i;
  if (c.map.length === 0) return c.base;
  return c.map[Math.max(0, Math.min(i, c.map.length - 1))];
}
