// `svcdb run`'s child: the user's command with the service's env, stdio inherited, the signals
// svcdb receives passed on, its exit status returned (a signal death as 128 + signal number).
import os from 'node:os';

export interface ForegroundSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** registers a handler for SIGTERM/SIGINT/SIGHUP received by svcdb; returns an unsubscribe */
  onSignal: (handler: (signal: NodeJS.Signals) => void) => () => void;
}

export async function runForeground(
  spec: ForegroundSpec,
): Promise<{ exitCode: number; signal: string | null; error?: string }> {
  const { execa } = await import('execa');
  const child = execa(spec.file, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: true,
    stdio: 'inherit',
    reject: false,
    buffer: false,
  });
  const unsubscribe = spec.onSignal((signal) => {
    child.kill(signal);
  });
  try {
    const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: string }>(
      (resolve) => {
        child.on('exit', (code, signal) => resolve({ code, signal }));
        child.on('error', (err) =>
          resolve({
            code: 127,
            signal: null,
            error: `cannot start ${spec.file}: ${(err as NodeJS.ErrnoException).code ?? err.message}`,
          }),
        );
      },
    );
    void child.catch(() => {});
    if (result.error) return { exitCode: result.code ?? 127, signal: null, error: result.error };
    if (result.code !== null) return { exitCode: result.code, signal: null };
    const number = result.signal ? (os.constants.signals[result.signal] ?? 0) : 0;
    return { exitCode: 128 + number, signal: result.signal };
  } finally {
    unsubscribe();
  }
}
