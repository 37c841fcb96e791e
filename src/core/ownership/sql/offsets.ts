// libpg-query reports byte offsets into UTF-8; JavaScript strings index UTF-16 units.

/** Returns a function from a UTF-8 byte offset in `text` to a character index. */
export function byteToChar(text: string): (byte: number) => number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return (b) => b;
  const map: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const cp = text.codePointAt(i) ?? 0;
    const bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < bytes; k++) map.push(i);
    if (cp > 0xffff) i++;
  }
  return (b) => (b < 0 ? 0 : b >= map.length ? text.length : map[b]);
}

/** Line starts of a file, for offset → line:column. */
export function lineIndex(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  };
}

/**
 * Position of an identifier in SQL text (plain or double-quoted), searching from `from`.
 * `lower` is `text.toLowerCase()` (computed once per text by the caller).
 */
export function findIdentifier(text: string, lower: string, name: string, from: number): number {
  const start = Math.max(0, from);
  const quoted = text.indexOf(`"${name}"`, start);
  const plain = name === name.toLowerCase() ? findWord(lower, name, start) : -1;
  const found = [quoted, plain].filter((i) => i >= 0);
  return found.length > 0 ? Math.min(...found) : start;
}

function findWord(lower: string, word: string, from: number): number {
  for (let i = lower.indexOf(word, from); i >= 0; i = lower.indexOf(word, i + 1)) {
    if (
      !isIdentChar(lower.charCodeAt(i - 1)) &&
      !isIdentChar(lower.charCodeAt(i + word.length)) &&
      lower[i - 1] !== '"'
    )
      return i;
  }
  return -1;
}

function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c > 127;
}
