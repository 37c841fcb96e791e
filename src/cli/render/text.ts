// Shortening text to a terminal's width, for the renderers.

/** `text` cut to `width` with `…` in the middle, keeping its start and its end. */
export function elide(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return '…'.slice(0, Math.max(0, width));
  const tail = Math.floor((width - 1) / 2);
  return `${text.slice(0, width - 1 - tail)}…${tail ? text.slice(-tail) : ''}`;
}

/** `text` cut to `width` with `…` at the end. */
export function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}
