// Flag values checked where they are read, so a bad one is exit 2 before anything runs, not
// a failure under the circumstances that happen to use it (contention, a first provision).

/** PostgreSQL's `lock_timeout` is an int of milliseconds: about 24.8 days at most. */
export const MAX_LOCK_TIMEOUT_MS = 2_147_483_647;

/** Why a `--lock-timeout` (ms) cannot be used, or null. */
export function lockTimeoutProblem(ms: number): string | null {
  if (!Number.isFinite(ms) || ms < 0) return 'expected a duration of 0 or more';
  if (ms > MAX_LOCK_TIMEOUT_MS)
    return `at most ${Math.floor(MAX_LOCK_TIMEOUT_MS / 1000)}s (PostgreSQL's lock_timeout limit)`;
  return null;
}

/**
 * Why a `--role-prefix` cannot be used as it is, or null. Refused rather than rewritten:
 * a prefix silently turned into another name would give the user roles they did not ask for.
 */
export function rolePrefixProblem(prefix: string): string | null {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix))
    return 'expected lower-case letters, digits and _ (starting with a letter or _), e.g. svcdb_';
  if (prefix.length > 40) return 'at most 40 characters, so that prefix and service name fit in a role name (63 bytes)';
  return null;
}
