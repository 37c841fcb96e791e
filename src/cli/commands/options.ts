// The flags several commands share, each defined once: which services and how far (migrate
// and plan), how long to wait for a server (every command that connects) and for another run's
// lock (every command that writes).
import { InvalidArgumentError, type Command } from 'commander';
import { parseDuration } from '../../core/duration.js';
import { lockTimeoutProblem } from '../../core/flag-values.js';
import { durationOption } from '../durations.js';

export interface SelectionFlags {
  all?: boolean;
  to?: string;
  wait: number;
}

/** `[service...]`, `--all`, `--to` and `--wait`: what migrate and plan both take, meaning the same. */
export function addSelection(cmd: Command, verb: 'migrate' | 'plan'): Command {
  return addWaitFlag(
    cmd
      .argument('[service...]', `services to ${verb}`)
      .option('-a, --all', 'every service')
      .option(
        '--to <migration>',
        `${verb === 'migrate' ? 'apply' : 'plan'} up to and including this migration (file name, id or number) in each service`,
      ),
  );
}

export function addWaitFlag(cmd: Command): Command {
  return cmd.addOption(
    durationOption('--wait <duration>', 'keep retrying an unreachable server this long (e.g. 30s)', 10_000),
  );
}

function parseLockTimeout(value: string): number {
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/, got ".*"$/, ''));
  }
  const problem = lockTimeoutProblem(ms);
  if (problem) throw new InvalidArgumentError(problem);
  return ms;
}

export function addLockFlag(cmd: Command): Command {
  return cmd.addOption(
    durationOption('--lock-timeout <duration>', "wait this long for another run's lock, then exit 1", 60_000).argParser(
      parseLockTimeout,
    ),
  );
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}
