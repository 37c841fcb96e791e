// The one module that decides whether output is coloured: only on a TTY, never under
// NO_COLOR or --no-color. Everything in src/cli asks this module, never chalk directly.
import { Chalk, type ChalkInstance } from 'chalk';

let instance: ChalkInstance = new Chalk({ level: 0 });

export function configureColor(opts: { noColor?: boolean; stream?: NodeJS.WriteStream }): void {
  const stream = opts.stream ?? process.stdout;
  const off = opts.noColor === true || (process.env.NO_COLOR ?? '') !== '' || !stream.isTTY;
  instance = new Chalk({ level: off ? 0 : 1 });
}

/** The configured chalk instance (level 0 when colour is off). */
export function c(): ChalkInstance {
  return instance;
}
