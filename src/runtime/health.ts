// Waiting for a service's `health` path to answer 200 before its dependents start.

export interface HealthWait {
  url: string;
  timeoutMs: number;
  /** stop waiting (the process exited, or the user pressed Ctrl-C) */
  cancelled: () => boolean;
}

/** 'healthy', 'timeout' or 'cancelled'. Polls every 100 ms; each request times out after 1 s. */
export async function waitHealthy(w: HealthWait): Promise<'healthy' | 'timeout' | 'cancelled'> {
  const deadline = Date.now() + w.timeoutMs;
  while (Date.now() < deadline) {
    if (w.cancelled()) return 'cancelled';
    try {
      const res = await fetch(w.url, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer().catch(() => {});
      if (res.status === 200) return 'healthy';
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return w.cancelled() ? 'cancelled' : 'timeout';
}

export function healthUrl(port: number, path: string): string {
  return `http://127.0.0.1:${port}${path.startsWith('/') ? path : `/${path}`}`;
}
