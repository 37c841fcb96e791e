// The one shape of every `--json` document: `ok` and `exitCode` first (the process's own exit
// code), `error` when the command failed as a whole, then the command's result. Bad input
// included: program.ts prints the error document when a command ended before printing one.
import { OperationError, UserError, UserErrors } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { outJson } from './io.js';

export interface JsonError {
  /** usage: flags or arguments; user: input to fix (exit 2); operation: the run hit a problem (exit 1); internal: a bug */
  kind: 'usage' | 'user' | 'operation' | 'internal';
  message: string;
  where?: string;
  hint?: string;
  /** several problems found at once (an invalid config file) */
  problems?: Array<{ message: string; where?: string; hint?: string }>;
}

let printed = false;

/** Whether a JSON document has been printed by this process (then no second one is). */
export function jsonPrinted(): boolean {
  return printed;
}

/**
 * Prints `result` as the command's one JSON document and sets the exit code. Keys `ok` and
 * `exitCode` in `result` are replaced by the process's; a per-service error in a failed
 * run becomes the top-level `error` unless one is given.
 */
export function emitJson(result: object, exitCode: number, error?: JsonError): void {
  const { ok: _ok, exitCode: _code, ...rest } = result as Record<string, unknown>;
  const doc: Record<string, unknown> = { ok: exitCode === 0, exitCode };
  const err = error ?? (exitCode !== 0 ? firstServiceError(rest) : undefined);
  if (err) doc.error = err;
  outJson({ ...doc, ...rest });
  printed = true;
  process.exitCode = exitCode;
}

/** The document for a command that ended with an error before it had a result. */
export function emitErrorJson(err: unknown, exitCode: number): void {
  if (printed) return;
  emitJson({}, exitCode, jsonErrorOf(err));
}

export function jsonErrorOf(err: unknown): JsonError {
  if (err instanceof UserErrors) {
    return {
      kind: 'user',
      message: `${err.errors.length} problems`,
      problems: err.errors.map((e) => ({
        message: redact(e.message),
        ...(e.where ? { where: e.where } : {}),
        ...(e.hint ? { hint: e.hint } : {}),
      })),
    };
  }
  if (err instanceof UserError) {
    return {
      kind: 'user',
      message: redact(err.message),
      ...(err.where ? { where: err.where } : {}),
      ...(err.hint ? { hint: redact(err.hint) } : {}),
    };
  }
  if (err instanceof OperationError)
    return { kind: 'operation', message: redact(err.message), ...(err.hint ? { hint: redact(err.hint) } : {}) };
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'internal', message: redact(message) };
}

/** A usage error from commander: its message without the `error: ` commander puts first. */
export function usageError(message: string): JsonError {
  return { kind: 'usage', message: message.replace(/^error:\s*/, '').trim() };
}

function firstServiceError(result: Record<string, unknown>): JsonError | undefined {
  const services = Array.isArray(result.services) ? (result.services as Array<Record<string, unknown>>) : [];
  for (const s of services) {
    const e = s.error as { kind?: string; message?: string; hint?: string } | undefined;
    if (e?.message)
      return {
        kind: e.kind === 'user' ? 'user' : 'operation',
        message: servicePrefixed(String(s.service), e.message),
        ...(e.hint ? { hint: e.hint } : {}),
      };
    const f = s.failure as { file?: string; line?: number | null; message?: string } | undefined;
    if (f?.message) return { kind: 'operation', message: `${f.file}${f.line ? `:${f.line}` : ''}: ${f.message}` };
  }
  return undefined;
}

/** `service: message`, unless the message already starts with the service's name. */
export function servicePrefixed(service: string, message: string): string {
  return message.startsWith(`${service}:`) ? message : `${service}: ${message}`;
}
