// Progress of a migrate run, as goose and dbmate print it: one permanent line per migration
// applied, with its time. On a terminal, below those, one live line per service still running:
// the migration in flight, n/N and its elapsed time, redrawn in place.
import type { ChalkInstance } from 'chalk';
import { elide } from './text.js';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** the terminal's width: a live line longer than it would wrap, and the redraw go wrong */
  columns?: number;
}

interface Step {
  migration: string;
  index: number;
  total: number;
}

/**
 * A service's migrations sent and not yet acknowledged, oldest first. Migrations are pipelined
 * (sent before the one ahead has finished) and the server runs them in order, so the one
 * running is the oldest, since the one before it was acknowledged.
 */
interface Running {
  queue: Step[];
  startedAt: number;
}

export interface ProgressOptions {
  stream: ProgressStream;
  /** live lines (a terminal); false: permanent lines only */
  live: boolean;
  paint: ChalkInstance;
  /** summary only: no line per migration */
  quiet?: boolean;
  /** redraw interval for the elapsed time (ms; 0: only on events) */
  tickMs?: number;
  now?: () => number;
}

export class Progress {
  private readonly running = new Map<string, Running>();
  private drawn = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: ProgressOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  /** A migration was sent: the live line shows it once those ahead of it are done. */
  applying(service: string, migration: string, index: number, total: number): void {
    if (!this.opts.live || this.opts.quiet) return;
    const running = this.running.get(service);
    if (running) running.queue.push({ migration, index, total });
    else this.running.set(service, { queue: [{ migration, index, total }], startedAt: this.now() });
    this.startTimer();
    this.redraw();
  }

  /** A migration committed: one permanent line; the live line moves on to the next. */
  applied(service: string, migration: string, durationMs: number): void {
    const running = this.running.get(service);
    if (running) {
      running.queue = running.queue.filter((step) => step.migration !== migration);
      running.startedAt = this.now();
      if (!running.queue.length) this.running.delete(service);
    }
    if (this.opts.quiet) return;
    const p = this.opts.paint;
    this.permanent(`${service}: ${p.green('applied')} ${migration} ${p.dim(`(${formatMs(durationMs)})`)}`);
  }

  /** Any other permanent line (waiting for a lock, a service's outcome). */
  line(text: string, opts: { evenIfQuiet?: boolean } = {}): void {
    if (this.opts.quiet && !opts.evenIfQuiet) return;
    this.permanent(text);
  }

  /** The service ended: its live line goes. */
  serviceDone(service: string): void {
    if (!this.running.delete(service)) return;
    this.redraw();
    if (!this.running.size) this.stopTimer();
  }

  /** Erases the live lines (before the summary is printed). */
  end(): void {
    this.running.clear();
    this.stopTimer();
    this.redraw();
  }

  private permanent(text: string): void {
    this.erase();
    this.opts.stream.write(`${text}\n`);
    this.draw();
  }

  private redraw(): void {
    this.erase();
    this.draw();
  }

  private erase(): void {
    if (!this.opts.live || this.drawn === 0) return;
    // to the start of the first live line, then clear to the end of the screen
    this.opts.stream.write(`\x1b[${this.drawn}F\x1b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    if (!this.opts.live || !this.running.size) return;
    const p = this.opts.paint;
    const width = this.opts.stream.columns;
    const lines = [...this.running].map(([service, { queue, startedAt }]) => {
      const { index, total, migration } = queue[0];
      const elapsed = formatMs(this.now() - startedAt);
      // a long file name gives up its middle (keeping its version and its end), never n/N or the time
      const room = width ? width - 1 - `${service}: ${index}/${total}  ${elapsed}`.length : migration.length;
      return `${p.cyan(service)}: ${index}/${total} ${elide(migration, Math.max(8, room))} ${p.dim(elapsed)}`;
    });
    this.opts.stream.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  private startTimer(): void {
    const tick = this.opts.tickMs ?? 250;
    if (this.timer || tick <= 0) return;
    this.timer = setInterval(() => this.redraw(), tick);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** `12 ms`, `3.4s`, `2m05s`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
