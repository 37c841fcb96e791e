// Output helpers: results to stdout, progress and errors to stderr, JSON as one document.
// Node creates process.stdout and process.stderr on first access, loading the stream modules
// (and net and tty for a pipe or a terminal): ~5 ms, a fifth of what `svcdb env` may take
// (bench/startup.js). So results are written to the file descriptor directly, and the streams
// are only made by stdout() / stderr(), which also end the process quietly on a closed pipe.
import { writeSync } from 'node:fs';
import { redact } from '../core/redact.js';

export interface GlobalOptions {
  profile?: string;
  cwd: string;
  config?: string;
  json?: boolean;
  debug?: boolean;
  /** --verbose: server notices, embedded server lifecycle */
  verbose?: boolean;
  color?: boolean;
}

/** The streams handed out so far, by file descriptor. */
const streams = new Map<1 | 2, NodeJS.WriteStream>();

function streamOf(fd: 1 | 2): NodeJS.WriteStream {
  let stream = streams.get(fd);
  if (!stream) {
    stream = fd === 1 ? process.stdout : process.stderr;
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
    streams.set(fd, stream);
  }
  return stream;
}

/** process.stdout, for writers that need a stream (`svcdb ... | head` ends quietly). */
export function stdout(): NodeJS.WriteStream {
  return streamOf(1);
}

/** process.stderr, for writers that need a stream. */
export function stderr(): NodeJS.WriteStream {
  return streamOf(2);
}

/**
 * Writes `text` to stdout (fd 1) or stderr (fd 2) at once, in order with what went before. A
 * closed pipe ends the process quietly; a pipe that would block (non-blocking and full) or a
 * stream already in use takes the rest through the stream.
 */
export function write(fd: 1 | 2, text: string): void {
  const stream = streams.get(fd);
  if (stream) {
    stream.write(text); // the stream is in use: keep to it, its writes may be queued
    return;
  }
  let rest = Buffer.from(text);
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(fd, rest));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
      if (code !== 'EAGAIN') throw err;
      streamOf(fd).write(rest);
      return;
    }
  }
}

export function out(text: string): void {
  write(1, text.endsWith('\n') ? text : `${text}\n`);
}

/** stderr, redacted: progress and logs never carry a password. */
export function log(text: string): void {
  write(2, redact(text.endsWith('\n') ? text : `${text}\n`));
}

export function outJson(value: unknown): void {
  write(1, `${JSON.stringify(value, null, 2)}\n`);
}

/** Render rows as an aligned text table. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
