// A small Python tokenizer: string literals with prefixes (r, b, u, f and pairs), single or
// triple quoted; f-string fields become `$n` placeholders. Comments are skipped.
import { CookedBuilder, verbatim, type SqlCandidate } from './candidate.js';
import { startsWithSqlKeyword } from './keywords.js';

export function pythonStrings(src: string): SqlCandidate[] {
  const out: SqlCandidate[] = [];
  const n = src.length;
  let i = 0;
  while (i < n) {
    const ch = src[i];
    if (ch === '#') {
      const end = src.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (ch === '"' || ch === "'") {
      i = readString(src, i, '', out);
    } else if (isIdentStart(ch)) {
      let j = i + 1;
      while (j < n && isIdentPart(src[j])) j++;
      const word = src.slice(i, j).toLowerCase();
      if ((src[j] === '"' || src[j] === "'") && /^(r|u|f|b|br|rb|fr|rf)$/.test(word)) i = readString(src, j, word, out);
      else i = j;
    } else {
      i++;
    }
  }
  return out;
}

function readString(src: string, q: number, prefix: string, out: SqlCandidate[]): number {
  const quote = src[q];
  const triple = src[q + 1] === quote && src[q + 2] === quote;
  const delim = triple ? quote.repeat(3) : quote;
  const start = q + delim.length;
  const end = findClose(src, start, delim, triple);
  const raw = prefix.includes('r');
  const fstring = prefix.includes('f');
  if (!prefix.includes('b') && startsWithSqlKeyword(src, start, end)) out.push(cook(src, start, end, raw, fstring));
  return Math.min(src.length, end + delim.length);
}

function findClose(src: string, from: number, delim: string, triple: boolean): number {
  let i = from;
  while (i < src.length) {
    const ch = src[i];
    if (ch === '\\') i += 2;
    else if (!triple && ch === '\n') return i;
    else if (src.startsWith(delim, i)) return i;
    else i++;
  }
  return src.length;
}

function cook(src: string, from: number, to: number, raw: boolean, fstring: boolean): SqlCandidate {
  const slice = src.slice(from, to);
  if (!(fstring && /[{}]/.test(slice)) && (raw || !slice.includes('\\'))) return verbatim(src, from, to);
  const b = new CookedBuilder();
  let i = from;
  while (i < to) {
    const ch = src[i];
    if (fstring && ch === '{' && src[i + 1] === '{') {
      b.push('{', i);
      i += 2;
      continue;
    }
    if (fstring && ch === '}' && src[i + 1] === '}') {
      b.push('}', i);
      i += 2;
      continue;
    }
    if (fstring && ch === '{') {
      b.placeholder(i);
      i = skipField(src, i, to);
      continue;
    }
    if (ch === '\\' && !raw) {
      const [cooked, next] = decodePy(src, i);
      b.push(cooked, i);
      i = Math.min(next, to);
      continue;
    }
    b.pushVerbatim(src, i, i + 1);
    i++;
  }
  return b.build();
}

function decodePy(src: string, i: number): [string, number] {
  const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '\n': '' };
  const ch = src[i + 1];
  if (ch !== undefined && ch in map) return [map[ch], i + 2];
  return ['\\' + (ch ?? ''), i + 2];
}

/** Index past the `}` closing an f-string field, honouring nested braces. */
function skipField(src: string, open: number, to: number): number {
  let depth = 0;
  for (let i = open; i < to; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return i + 1;
  }
  return to;
}

function isIdentStart(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_';
}

function isIdentPart(ch: string): boolean {
  return isIdentStart(ch) || (ch >= '0' && ch <= '9');
}
