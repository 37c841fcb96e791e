// `svcdb migrate` when the connection was lost part-way (Guarantees 10 in the README): what
// survived is re-read on a fresh connection, or only what is known to be flushed is reported.
import type { Service, Target } from '../core/types.js';
import type { RunOutcome } from '../db/migrator.js';
import type { ServiceMigrateResult, ServiceRunOptions } from './migrate.js';

/**
 * The session died under the run. What the client saw acknowledged may not have survived (its
 * commits before the last are asynchronous; a crash loses the unflushed ones): report what a
 * fresh connection finds in the history, or, when the server is not back, only what is known
 * to be flushed.
 */
export async function reportDurable(
  service: Service,
  target: Target,
  outcome: RunOutcome,
  result: ServiceMigrateResult,
  opts: ServiceRunOptions,
): Promise<void> {
  const { rereadHistory } = await import('../db/session.js');
  const rows = await rereadHistory(service, target, { waitMs: opts.waitMs });
  const ranIds = outcome.done.map((d) => d.id);
  const attempted = [...ranIds, ...(result.failure ? [result.failure.migration] : []), ...result.notTried];
  const durable = rows ? new Set(rows.map((r) => r.id)) : new Set(ranIds.slice(0, outcome.durableCount));
  result.durableReread = rows !== null;
  result.applied = outcome.done.filter((d) => durable.has(d.id));
  const lost = attempted.filter((id) => !durable.has(id));
  result.status = 'failed';
  // Unconfirmed acknowledgements were tried: name them as uncertain, not as "not tried".
  result.uncertain = rows ? [] : ranIds.filter((id) => !durable.has(id));
  const uncertain = new Set(result.uncertain);
  result.notTried = lost.filter((id) => id !== result.failure?.migration && !uncertain.has(id));
  if (result.failure) {
    const f = result.failure;
    const applied = result.applied.length ? result.applied.map((d) => d.id).join(', ') : 'none';
    f.message = `lost the connection to ${result.target} while applying ${f.migration}: ${f.message}`;
    f.hint = rows
      ? `durably applied in this run (re-read from the server): ${applied}; run svcdb migrate ${service.name} again to apply the rest`
      : `the server could not be reached again; durably applied in this run: ${applied}; ` +
        `${result.uncertain.length} more were acknowledged but may not have survived (${listIds(result.uncertain)}): check svcdb status ${service.name}, then migrate again`;
  }
}

function listIds(ids: string[]): string {
  return ids.length <= 3 ? ids.join(', ') : `${ids[0]} … ${ids[ids.length - 1]}`;
}
