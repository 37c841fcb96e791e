// Duration flags, all parsed by core/duration.ts so `--wait`, `--lock-timeout`,
// `--health-timeout` and `--grace` accept the same `500ms`/`10s`/`2m`/seconds; invalid is exit 2.
import { InvalidArgumentError, Option } from 'commander';
import { formatDuration, parseDuration } from '../core/duration.js';

/** A `--flag <duration>` option whose value reaches the action in milliseconds. */
export function durationOption(flags: string, description: string, defaultMs: number): Option {
  return new Option(flags, description)
    .argParser((value: string) => {
      try {
        return parseDuration(value);
      } catch (err) {
        // commander names the option and the value itself; keep only what was expected
        throw new InvalidArgumentError((err as Error).message.replace(/, got ".*"$/, ''));
      }
    })
    .default(defaultMs, formatDuration(defaultMs));
}
