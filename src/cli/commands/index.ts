// Every command's registration by name, in the order `svcdb --help` lists them. Each registration
// declares flags and help text only; the command's module is imported lazily in its action.
import type { Command } from 'commander';
import { register as services } from './services.js';
import { register as env } from './env.js';
import { register as migrate } from './migrate.js';
import { register as plan } from './plan.js';
import { register as status } from './status.js';
import { register as down } from './down.js';
import { register as newCmd } from './new.js';
import { register as repair } from './repair.js';
import { register as adopt } from './adopt.js';
import { register as checkOwnership } from './check-ownership.js';
import { register as checkMigrations } from './check-migrations.js';
import { register as provision } from './provision.js';
import { register as up } from './up.js';
import { register as db } from './db.js';
import { register as run } from './run.js';

export const commands: ReadonlyArray<readonly [name: string, register: (program: Command) => void]> = [
  ['services', services],
  ['env', env],
  ['migrate', migrate],
  ['plan', plan],
  ['status', status],
  ['down', down],
  ['new', newCmd],
  ['repair', repair],
  ['adopt', adopt],
  ['check-ownership', checkOwnership],
  ['check-migrations', checkMigrations],
  ['provision', provision],
  ['up', up],
  ['db', db],
  ['run', run],
];
