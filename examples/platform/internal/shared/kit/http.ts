// A tiny router on node:http: JSON in, JSON out, errors as `{error}` with the right status.
import http from 'node:http';
import type { Logger } from './log.js';

export interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  /** the parsed JSON body; a 400 is answered for malformed JSON */
  json(): Promise<unknown>;
}

export interface Reply {
  status: number;
  body?: unknown;
}

export type Handler = (req: Request) => Promise<Reply>;

export interface Route {
  method: string;
  /** `/api/v1/projections/:type/:aggregate_id`: `:name` segments become params */
  pattern: string;
  handler: Handler;
}

/** Thrown by handlers for an answer other than 500 (bad input, not found). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY_BYTES = 1024 * 1024;

export function createHttpServer(routes: Route[], log: Logger): http.Server {
  return http.createServer((req, res) => {
    dispatch(routes, req)
      .catch((err: unknown) => {
        if (err instanceof HttpError) return { status: err.status, body: { error: err.message } };
        log.error('request failed', { method: req.method, url: req.url, error: err });
        return { status: 500, body: { error: 'internal error' } };
      })
      .then((reply) => send(res, reply));
  });
}

async function dispatch(routes: Route[], req: http.IncomingMessage): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  let pathMatched = false;
  for (const route of routes) {
    const params = matchPath(route.pattern, url.pathname);
    if (!params) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    return route.handler({ method, path: url.pathname, query: url.searchParams, params, json: () => readJson(req) });
  }
  if (pathMatched) throw new HttpError(405, `method ${method} not allowed on ${url.pathname}`);
  throw new HttpError(404, `no route for ${method} ${url.pathname}`);
}

function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `malformed JSON: ${(err as Error).message}`);
  }
}

function send(res: http.ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status).end();
    return;
  }
  const body = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** POSTs JSON with a timeout; resolves to the status, rejects on a network error or timeout. */
export async function postJson(url: string, body: unknown, timeoutMs: number): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  await res.arrayBuffer(); // drain, so the connection can be reused
  return res.status;
}
