// Starts one compiled reference service directly (no svcdb runtime), and a consumer the test
// controls (stands in for a service or a webhook, can refuse requests on demand).
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

type Exit = { code: number | null; signal: NodeJS.Signals | null };

export interface RunningService {
  url: string;
  output(): string;
  /** set when started with `expectExit` */
  exit?: Exit;
  /** SIGTERM, then the exit it made */
  stop(): Promise<Exit>;
}

/** Runs `<dir>/dist/<name>/main.js` from `dir` (a copy of the example) and waits for its /health. */
export async function startService(
  dir: string,
  name: string,
  env: Record<string, string | undefined>,
  opts: { expectExit?: boolean } = {},
): Promise<RunningService> {
  const port = await freePort();
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env, PORT: String(port) })) {
    // a service must see only what the test gives it
    if (v !== undefined && (k in env || k === 'PORT' || !/_URL$/.test(k))) childEnv[k] = v;
  }
  const child = spawn(process.execPath, [path.join(dir, `dist/${name}/main.js`)], { cwd: dir, env: childEnv });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const service: RunningService = {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  if (opts.expectExit) {
    service.exit = await exited;
    return service;
  }
  const deadline = Date.now() + 15_000;
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    const res = await fetch(`${service.url}/health`).catch(() => null);
    if (res?.status === 200) return service;
    await res?.arrayBuffer();
    if (gone || Date.now() > deadline) throw new Error(`${name} did not become healthy:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Records every JSON body POSTed to it; `failNext(n)` answers the next n requests with 503. */
export class FakeConsumer {
  readonly received: Array<Record<string, unknown>> = [];
  private failures = 0;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeConsumer> {
    let consumer: FakeConsumer | undefined;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => consumer!.handle(body, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    consumer = new FakeConsumer(server, `http://127.0.0.1:${port}`);
    return consumer;
  }

  failNext(count: number): void {
    this.failures = count;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(body: string, res: http.ServerResponse): void {
    if (this.failures > 0) {
      this.failures--;
      res.writeHead(503).end();
      return;
    }
    this.received.push(JSON.parse(body) as Record<string, unknown>);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"applied"}');
  }
}
