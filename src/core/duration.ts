// The one duration format every flag accepts (--wait, --lock-timeout, --health-timeout,
// --grace): `500ms`, `10s`, `2m`, or a plain number of seconds. Anything else is bad input.
import { UserError } from './errors.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

/** `text` in milliseconds; `flag` names the option in the error (e.g. `--wait`). */
export function parseDuration(text: string, flag?: string): number {
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m)?$/.exec(text.trim());
  if (!m) {
    throw new UserError(`expected a duration such as 500ms, 10s, 2m or a plain number of seconds, got "${text}"`, {
      where: flag,
      hint: 'e.g. 60s',
    });
  }
  return Math.round(Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS]);
}

/** `1500` → `1.5s`, for messages and defaults shown in help. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 100) / 10}s`;
}
