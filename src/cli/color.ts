// The one module that decides whether output is coloured: only on a TTY, never under
// NO_COLOR or --no-color. Everything in src/cli asks this module, never chalk directly.
// chalk is imported only when colour is on: its `import process from 'node:process'` makes
// Node build the whole process namespace (stdin, stdout, report...), ~10 ms of every start-up
// that prints to a pipe or a file, where no colour is wanted anyway.
import type { ChalkInstance } from 'chalk';
import { fstatSync } from 'node:fs';
import { stdout } from './io.js';

/** What chalk at level 0 does, without loading it: every style is the identity, chains too. */
const plainStyle = (...args: unknown[]): string => (args.length === 1 ? `${args[0] as string}` : args.join(' '));
const plain: ChalkInstance = new Proxy(plainStyle, {
  get: (_target, key) => (key === 'level' ? 0 : typeof key === 'string' && key !== 'then' ? plain : undefined),
}) as unknown as ChalkInstance;

let instance: ChalkInstance = plain;

export async function configureColor(opts: { noColor?: boolean; stream?: NodeJS.WriteStream }): Promise<void> {
  const off = opts.noColor === true || (process.env.NO_COLOR ?? '') !== '' || !isTerminal(opts.stream);
  if (off) {
    instance = plain;
    return;
  }
  const { Chalk } = await import('chalk');
  instance = new Chalk({ level: 1 });
}

/**
 * Whether output goes to a terminal. Asking process.stdout makes Node create the stream (~5 ms),
 * so a pipe or a file, which is no character device, is answered by fstat alone.
 */
function isTerminal(stream: NodeJS.WriteStream | undefined): boolean {
  if (stream) return stream.isTTY === true;
  try {
    if (!fstatSync(1).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return stdout().isTTY === true;
}

/** The configured styles (the identity when colour is off). */
export function c(): ChalkInstance {
  return instance;
}
