// One service process: started through execa as a shell command in its own process group (so
// stopping it also stops whatever the shell started), each output line prefixed, the last lines
// kept for the crash report.
import { redact } from '../core/redact.js';
import { parsePgUrl } from '../core/url.js';

export interface LaunchSpec {
  name: string;
  /** a shell command string (`node dist/ingestion.js`) */
  command: string;
  cwd: string;
  /** added to the current environment */
  env: Record<string, string>;
  /** turns a raw output line into the printed one (the CLI adds the coloured service name) */
  prefix: (line: string) => string;
  /** where prefixed lines go */
  write: (text: string) => void;
  keepLines?: number;
}

export interface Exit {
  code: number | null;
  signal: string | null;
}

export interface ServiceProcess {
  name: string;
  pid: number;
  /** resolves when the process has exited */
  exited: Promise<Exit>;
  exit: Exit | null;
  lastLines(): string[];
  /** SIGTERM to the process group, SIGKILL after `graceMs` (or at once when `force` aborts); resolves when it is gone */
  stop(graceMs: number, force?: AbortSignal): Promise<Exit>;
}

export async function launch(spec: LaunchSpec): Promise<ServiceProcess> {
  const { execa } = await import('execa');
  const child = execa(execIfSimple(spec.command), {
    shell: true,
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: true,
    detached: true,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    cleanup: false,
    stripFinalNewline: false,
  });
  const keep = spec.keepLines ?? 20;
  const recent: string[] = [];
  const hide = secretsOf(spec.env);
  const onLine = (raw: string) => {
    // A service that logs its DATABASE_URL (or the password from it) must not show it on our terminal.
    const line = hide(redact(raw));
    recent.push(line);
    if (recent.length > keep) recent.shift();
    spec.write(`${spec.prefix(line)}\n`);
  };
  const pump = (stream: NodeJS.ReadableStream | null) => {
    if (!stream) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split(/\r?\n/);
      partial = lines.pop() ?? '';
      lines.forEach(onLine);
    });
    stream.on('end', () => partial && onLine(partial));
  };
  pump(child.stdout);
  pump(child.stderr);
  const proc: ServiceProcess = {
    name: spec.name,
    pid: child.pid ?? -1,
    exit: null,
    exited: new Promise<Exit>((resolve) => {
      child.on('exit', (code, signal) => resolve((proc.exit = { code, signal })));
      child.on('error', () => resolve((proc.exit = proc.exit ?? { code: 127, signal: null })));
    }),
    lastLines: () => [...recent],
    stop: (graceMs, force) => stopGroup(proc, graceMs, force),
  };
  void child.catch(() => {});
  return proc;
}

/**
 * `exec cmd` for a simple command, so the service itself (not a shell around it) is the process
 * we signal and whose exit code we see. Anything with shell syntax runs as written.
 */
export function execIfSimple(command: string): string {
  const shellSyntax = /[;&|<>()`$\n\\*?'"{}]/.test(command) || /^\s*(exec\s|[A-Za-z_][A-Za-z0-9_]*=)/.test(command);
  return shellSyntax ? command : `exec ${command.trim()}`;
}

async function stopGroup(proc: ServiceProcess, graceMs: number, force?: AbortSignal): Promise<Exit> {
  const kill = () => signalGroup(proc.pid, 'SIGKILL');
  if (force?.aborted) kill();
  else signalGroup(proc.pid, 'SIGTERM');
  force?.addEventListener('abort', kill, { once: true });
  const timer = setTimeout(kill, graceMs);
  const exit = await proc.exited;
  clearTimeout(timer);
  force?.removeEventListener('abort', kill);
  // The shell may be gone while something it started still runs: wait for the group to empty.
  const deadline = Date.now() + graceMs;
  while (groupAlive(proc.pid) && Date.now() < deadline && !force?.aborted) await new Promise((r) => setTimeout(r, 50));
  if (groupAlive(proc.pid)) signalGroup(proc.pid, 'SIGKILL');
  return exit;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function groupAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Replaces the passwords of the URLs in `env` (as written, and percent-decoded) with `***`. */
export function secretsOf(env: Record<string, string>): (line: string) => string {
  const secrets = new Set<string>();
  for (const value of Object.values(env)) {
    if (!/^postgres(ql)?:\/\//i.test(value)) continue;
    try {
      const password = parsePgUrl(value).password;
      if (password && password.length >= 4) {
        secrets.add(password);
        secrets.add(encodeURIComponent(password));
      }
    } catch {
      // not a URL we can read: redact() still handles its userinfo
    }
  }
  const list = [...secrets].sort((a, b) => b.length - a.length);
  return (line) => list.reduce((text, secret) => text.split(secret).join('***'), line);
}
