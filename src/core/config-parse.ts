// Reads a JSON or YAML config file into a plain value, with syntax errors reported as
// `file:line:column: cause`. Code configs (ts, js, mjs, cjs) go through cosmiconfig
// (config-load.ts) instead.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from './errors.js';
import { loadYaml } from './yaml.js';

/** JSON / YAML / package.json#svcdb; null for a code config. `shown` names the file in messages. */
export async function readDataFile(file: string, shown: string): Promise<{ raw: unknown; path: string } | null> {
  const base = path.basename(file);
  const isJson = base.endsWith('.json');
  const isYaml = /\.ya?ml$/.test(base) || base === '.svcdbrc' || base === 'svcdbrc';
  if (!isJson && !isYaml) return null;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read config file: ${(err as Error).message}`, { where: shown, cause: err });
  }
  if (text.trim() === '') return { raw: {}, path: file };
  const raw = isJson ? parseJson(text, shown) : await parseYaml(text, shown);
  if (base === 'package.json') return { raw: (raw as Record<string, unknown> | null)?.svcdb ?? {}, path: file };
  return { raw: raw ?? {}, path: file };
}

function parseJson(text: string, shown: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 says "... in JSON at position 41" (Node 20) or "... (line 3 column 1)" (Node 22).
    const message = (err as Error).message;
    const lineCol = /\(line (\d+) column (\d+)\)/.exec(message);
    const position = /at position (\d+)/.exec(message);
    const at = lineCol
      ? { line: Number(lineCol[1]), column: Number(lineCol[2]) }
      : position
        ? lineAndColumn(text, Number(position[1]))
        : null;
    const cause = message
      .replace(/\s*(in JSON )?at position \d+.*$/s, '')
      .replace(/\s*\(line \d+ column \d+\)/, '')
      .replace(/^JSON\.parse: /, '');
    throw new UserError(`invalid JSON: ${cause}`, {
      where: at ? `${shown}:${at.line}:${at.column}` : shown,
      hint: /property name|Unexpected token '?[}\]]/.test(cause)
        ? 'JSON allows no trailing comma and no comments (a YAML config does)'
        : undefined,
      cause: err,
    });
  }
}

async function parseYaml(text: string, shown: string): Promise<unknown> {
  const { load } = await loadYaml();
  try {
    return load(text);
  } catch (err) {
    if (err instanceof RangeError) throw tooDeep(shown, err);
    const e = err as { reason?: string; mark?: { line: number; column: number }; message: string };
    const where = e.mark ? `${shown}:${e.mark.line + 1}:${e.mark.column + 1}` : shown;
    throw new UserError(`invalid YAML: ${e.reason ?? e.message.split('\n')[0]}`, { where, cause: err });
  }
}

export function tooDeep(where: string, cause?: unknown): UserError {
  return new UserError(`nested too deeply (more than ${MAX_DEPTH} levels)`, {
    where,
    hint: 'a svcdb config is at most a few levels deep: check for a runaway structure',
    cause,
  });
}

/** Far beyond any real config (the deepest key is services.<name>.reads[i].via[j]). */
export const MAX_DEPTH = 64;

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
