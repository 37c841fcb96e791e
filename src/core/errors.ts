// The two kinds of failure a user can meet. Anything else thrown is a bug.

/**
 * The user must fix something: bad flag, bad config, malformed migration file, missing
 * variable, unreachable server. Exit code 2. Nothing has been changed in any database.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  /** where: `file:line`, a config key path, an env var */
  readonly where?: string;
  /** what to do about it */
  readonly hint?: string;
  constructor(message: string, opts: { where?: string; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.where = opts.where;
    this.hint = opts.hint;
  }
}

/** Several user errors found at once (e.g. every problem in a config file). Exit code 2. */
export class UserErrors extends UserError {
  readonly errors: UserError[];
  constructor(errors: UserError[]) {
    super(errors.map((e) => formatUserError(e)).join('\n'));
    this.errors = errors;
  }
}

/**
 * The operation ran and found or hit a problem: a failed migration, drift, a lock timeout,
 * an ownership finding. Exit code 1. What was done before the failure is in the message (or in
 * the result object of the command that returns one).
 */
export class OperationError extends Error {
  override readonly name = 'OperationError';
  readonly hint?: string;
  constructor(message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.hint = opts.hint;
  }
}

export function formatUserError(e: UserError): string {
  const head = e.where ? `${e.where}: ${e.message}` : e.message;
  return e.hint ? `${head}\n  hint: ${e.hint}` : head;
}
