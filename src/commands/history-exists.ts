// Reverting and repairing commands (down, repair) act on a history that exists: they look
// first, read-only, and never create the database, schema or history table a writer session
// would (issue: `down` against a missing database used to create it, then say "nothing to revert").
import { endpointOf } from '../core/url.js';
import { UserError } from '../core/errors.js';
import type { Service, Target } from '../core/types.js';

/**
 * null when the service's history exists (go on with a writer session); otherwise what is
 * missing, in words. A missing database is bad input (exit 2): the URL points nowhere.
 */
export async function missingHistory(
  service: Service,
  target: Target,
  opts: { waitMs?: number },
): Promise<string | null> {
  const { openReader } = await import('../db/session.js');
  const reader = await openReader(service, target, { waitMs: opts.waitMs });
  await reader.close();
  if (!reader.sql) {
    throw new UserError(
      `${service.name}: database ${target.database} does not exist (${endpointOf(target.url).label}); nothing was changed`,
      {
        hint: `check the URL (svcdb env --explain), or apply migrations first with: svcdb migrate ${service.name}`,
      },
    );
  }
  return reader.wouldCreate.length ? `no ${reader.wouldCreate.join(' and no ')}: nothing has been applied here` : null;
}
