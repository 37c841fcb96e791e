// `svcdb db start|stop|status|destroy`: the project's embedded PostgreSQL, by hand.
import { redact } from '../core/redact.js';
import type { EmbeddedStatus } from '../db/embedded.js';

export type DbAction = 'start' | 'stop' | 'status' | 'destroy';

export interface DbOptions {
  root: string;
  action: DbAction;
  log?: (line: string) => void;
}

/** The server's status after the action; `url` has its password redacted. */
export interface DbResult extends Omit<EmbeddedStatus, 'started'> {
  action: DbAction;
  /** what the action did: started / already running / stopped / was not running / destroyed / nothing to destroy */
  outcome: string;
}

export async function db(opts: DbOptions): Promise<DbResult> {
  const embedded = await import('../db/embedded.js');
  const logOpt = { log: opts.log };
  let outcome: string;
  switch (opts.action) {
    case 'start': {
      const s = await embedded.startEmbedded(opts.root, logOpt);
      await (await import('../db/embedded-lease.js')).setKept(opts.root, true);
      outcome = s.started ? 'started' : 'already running';
      break;
    }
    case 'stop':
      await (await import('../db/embedded-lease.js')).setKept(opts.root, false);
      outcome = (await embedded.stopEmbedded(opts.root, logOpt)) ? 'stopped' : 'was not running';
      break;
    case 'destroy':
      await (await import('../db/embedded-lease.js')).setKept(opts.root, false).catch(() => {});
      outcome = (await embedded.destroyEmbedded(opts.root, logOpt)) ? 'destroyed' : 'nothing to destroy';
      break;
    default:
      outcome = 'status';
  }
  return { action: opts.action, outcome, ...view(await embedded.embeddedStatus(opts.root)) };
}

function view(s: EmbeddedStatus): Omit<DbResult, 'action' | 'outcome'> {
  return {
    running: s.running,
    initialised: s.initialised,
    pid: s.pid,
    port: s.port,
    dataDir: s.dataDir,
    url: s.url ? redact(s.url) : null,
  };
}

/**
 * Stops the embedded server if this process started it only for itself (plan, status,
 * migrate, run, provision) and nobody else uses it; the CLI calls it as a command ends.
 */
export async function releaseEmbedded(log?: (line: string) => void): Promise<boolean> {
  const { releaseTransient } = await import('../db/embedded-lease.js');
  return releaseTransient(log);
}
