// What every service shares: /health, listening on PORT, and a clean stop on SIGTERM/SIGINT
// (stop background work, close the server, end the pool, exit 0).
import type { Server } from 'node:http';
import { openDatabase, type Sql } from './db.js';
import { databaseUrlFor, listenPort } from './env.js';
import { createHttpServer, type Route } from './http.js';
import { createLogger, type Logger } from './log.js';

export interface ServiceContext {
  name: string;
  sql: Sql;
  log: Logger;
}

export interface ServiceDefinition {
  name: string;
  defaultPort: number;
  routes(ctx: ServiceContext): Route[];
  /** background work (a relay worker); returns its stop function */
  start?(ctx: ServiceContext): () => Promise<void>;
}

export function runService(def: ServiceDefinition): void {
  const log = createLogger(def.name);
  let sql: Sql;
  let port: number;
  try {
    sql = openDatabase(databaseUrlFor(def.name));
    port = listenPort(def.defaultPort);
  } catch (err) {
    log.error('cannot start', { error: err });
    process.exit(2);
  }
  const ctx: ServiceContext = { name: def.name, sql, log };
  const server = createHttpServer([healthRoute(ctx), ...def.routes(ctx)], log);
  server.on('error', (err) => {
    log.error('server error', { error: err, port });
    process.exit(1);
  });
  server.listen(port, process.env.HOST ?? '127.0.0.1', () => {
    log.info('listening', { port, pid: process.pid });
  });
  const stopWorker = def.start?.(ctx);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    shutdown(server, sql, stopWorker)
      .then(() => process.exit(0))
      .catch((err) => {
        log.error('unclean stop', { error: err });
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function healthRoute(ctx: ServiceContext): Route {
  return {
    method: 'GET',
    pattern: '/health',
    handler: async () => {
      try {
        await ctx.sql`select 1`;
        return { status: 200, body: { status: 'ok', service: ctx.name } };
      } catch (err) {
        return { status: 503, body: { status: 'unavailable', service: ctx.name, error: (err as Error).message } };
      }
    },
  };
}

async function shutdown(server: Server, sql: Sql, stopWorker?: () => Promise<void>): Promise<void> {
  if (stopWorker) await stopWorker();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
  await sql.end({ timeout: 5 });
}
