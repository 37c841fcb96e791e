// The outbox relay: claims due rows with FOR UPDATE SKIP LOCKED (so several ingestion replicas
// never deliver the same row at once), POSTs each to its destination's /internal/events, deletes
// it once acknowledged, and otherwise schedules a retry with exponential backoff.
import type { Sql } from '../shared/kit/db.js';
import { serviceUrl } from '../shared/kit/env.js';
import { postJson } from '../shared/kit/http.js';
import type { Logger } from '../shared/kit/log.js';

const BATCH_SIZE = 50;
const IDLE_POLL_MS = 250;
// below `svcdb up`'s 5 s stop grace: stopping waits for at most one delivery round
const DELIVERY_TIMEOUT_MS = 3_000;
const MAX_BACKOFF_MS = 60_000;

interface OutboxRow {
  id: string;
  destination: string;
  event: unknown;
  attempts: number;
}

export interface Relay {
  /** a new row was written: look now rather than at the next poll */
  wake(): void;
  stop(): Promise<void>;
}

export function startRelay(sql: Sql, log: Logger): Relay {
  let running = true;
  // a wake-up that arrives while a batch runs must not be lost: it is remembered until the next sleep
  let woken = false;
  let wakeUp: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || !running) {
        woken = false;
        resolve();
        return;
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        woken = false;
        resolve();
      }
      wakeUp = done;
    });
  const wake = () => {
    woken = true;
    wakeUp?.();
  };

  const loop = (async () => {
    while (running) {
      try {
        const claimed = await relayBatch(sql, log);
        if (claimed < BATCH_SIZE) await sleep(IDLE_POLL_MS);
      } catch (err) {
        log.error('relay batch failed', { error: err });
        await sleep(1_000);
      }
    }
  })();

  return {
    wake,
    stop: async () => {
      running = false;
      wake();
      await loop;
    },
  };
}

/** One transaction: claim due rows, deliver them in parallel, delete or reschedule each. */
async function relayBatch(sql: Sql, log: Logger): Promise<number> {
  return sql.begin(async (tx) => {
    const rows = await tx<OutboxRow[]>`
      select id, destination, event, attempts
      from outbox
      where next_attempt_at <= now()
      order by id
      limit ${BATCH_SIZE}
      for update skip locked`;
    const results = await Promise.all(rows.map((row) => deliver(row)));
    for (const [i, row] of rows.entries()) {
      const error = results[i];
      if (error === null) {
        await tx`delete from outbox where id = ${row.id}`;
        continue;
      }
      const delayMs = backoffMs(row.attempts);
      log.warn('delivery failed, will retry', { destination: row.destination, attempts: row.attempts + 1, retry_in_ms: delayMs, error });
      await tx`
        update outbox
        set attempts = attempts + 1,
            next_attempt_at = now() + ${delayMs}::int * interval '1 millisecond',
            last_error = ${error}
        where id = ${row.id}`;
    }
    return rows.length;
  });
}

/** null when delivered, else why not. */
async function deliver(row: OutboxRow): Promise<string | null> {
  const base = serviceUrl(row.destination);
  if (!base) return `${row.destination.toUpperCase()}_URL is not set`;
  try {
    const status = await postJson(`${base}/internal/events`, row.event, DELIVERY_TIMEOUT_MS);
    return status >= 200 && status < 300 ? null : `${row.destination} answered ${status}`;
  } catch (err) {
    return `${row.destination}: ${(err as Error).message}`;
  }
}

function backoffMs(attempts: number): number {
  const exponential = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempts);
  return Math.round(exponential * (0.75 + Math.random() * 0.5));
}
