// The CLI on a real pseudo-terminal (util-linux `script`), and what a terminal would show of its
// output: enough of a VT100 screen (CR, LF, cursor to a previous line, erase below) to tell a
// live line that was redrawn and erased from one left behind.
import { execFileSync, spawn } from 'node:child_process';
import { binPath } from './cli.js';

/** util-linux `script` with -e (exit code) and -f (flush), as on Debian, Ubuntu, Fedora, Alpine's util-linux */
export const hasScript = (() => {
  try {
    return /util-linux/.test(execFileSync('script', ['--version'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
})();

export interface PtyRun {
  /** everything written to the terminal so far, escape sequences included */
  raw(): string;
  /** resolves with the exit code */
  exited: Promise<number | null>;
  running(): boolean;
}

function quote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * `svcdb args` with stdin, stdout and stderr on one pseudo-terminal `columns` wide, with only
 * `env` of the variables svcdb reads (no DATABASE_URL or *_DATABASE_URL of the test process).
 */
export function svcdbInPty(args: string[], env: Record<string, string>, columns = 120): PtyRun {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === 'DATABASE_URL' || k.endsWith('_DATABASE_URL') || k.startsWith('SVCDB_')) continue;
    clean[k] = v;
  }
  const command = `stty cols ${columns} rows 40; exec ${[process.execPath, binPath, ...args].map(quote).join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env: { ...clean, TERM: 'xterm', NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  let alive = true;
  child.stdout.on('data', (d) => (raw += d));
  child.stderr.on('data', (d) => (raw += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      alive = false;
      resolve(code);
    });
  });
  return { raw: () => raw, exited, running: () => alive };
}

/** Resolves once `test(raw)` holds, or rejects after `timeoutMs`. */
export async function waitFor(run: PtyRun, test: (raw: string) => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test(run.raw())) {
    if (Date.now() > deadline) throw new Error(`timed out; the terminal got:\n${JSON.stringify(run.raw())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What the screen shows after `raw`: one string per line, trailing blank lines dropped. */
export function screen(raw: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  const put = (ch: string) => {
    const line = lines[row].padEnd(col);
    lines[row] = line.slice(0, col) + ch + line.slice(col + 1);
    col++;
  };
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '\x1b') {
      const m = /^\x1b\[(\d*)([A-Za-z])/.exec(raw.slice(i));
      if (!m) continue;
      i += m[0].length - 1;
      const n = Number(m[1] || '1');
      if (m[2] === 'F') {
        row = Math.max(0, row - n);
        col = 0;
      } else if (m[2] === 'J') {
        lines.length = row + 1;
        lines[row] = lines[row].slice(0, col);
      } else if (m[2] === 'K') {
        lines[row] = lines[row].slice(0, col);
      }
      // colours (m) and anything else: nothing on the screen
    } else if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row++;
      if (lines.length <= row) lines.push('');
    } else put(ch);
  }
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  return lines.map((l) => l.trimEnd());
}
