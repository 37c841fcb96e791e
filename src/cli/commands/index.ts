// Every command's registration, in the order `svcdb --help` lists them. Each registration
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
import { register as provision } from './provision.js';
import { register as up } from './up.js';
import { register as db } from './db.js';
import { register as run } from './run.js';

export const commands: Array<(program: Command) => void> = [
  services, env, migrate, plan, status, down, newCmd, repair, adopt, checkOwnership, provision, up, db, run,
];
