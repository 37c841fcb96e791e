// Transactional migrations pipelined on one connection: each is sent (as its own
// `begin; ...; commit;`) without waiting for the previous one's answer, so the server never
// idles between them. Safe because PostgreSQL keeps a failed migration's transaction open and
// aborted: every text queued behind it fails with 25P02 and changes nothing, until ROLLBACK.
//
// Two things end a pipeline early besides a failing statement:
// - the connection is lost (terminated backend, shutdown, crash): nothing more is sent on
//   this client, which is destroyed at once (postgres.js would otherwise reconnect and run
//   what is queued on a session that holds no lock, and a ROLLBACK awaited on the dead
//   connection never settles); the caller re-reads what is durable on a fresh connection;
// - a lock timeout (55P03): rolled back and re-sent from that migration, `lockRetries` times.
import type { Migration, Statement } from '../core/types.js';
import type { Sql } from './connect.js';
import type { SentText } from './failure.js';

export interface Sent {
  m: Migration;
  statements: Statement[];
  sent: SentText;
  /** the commit waits for the WAL flush: everything acknowledged before it is durable too */
  synchronous: boolean;
}

interface InFlight extends Sent {
  result: Promise<void>;
  sentAt: number;
}

/** A failure of the queued text `item` (err is PostgreSQL's or the driver's error). */
export class PipelineFailure extends Error {
  constructor(
    readonly item: Sent,
    readonly err: unknown,
    readonly connectionLost: boolean,
  ) {
    super((err as { message?: string }).message ?? String(err));
  }
}

/**
 * Errors that mean the session is gone: the server ended it (57P01 terminate/shutdown, 57P02
 * crash, 08xxx) or the socket closed (postgres.js CONNECTION_*, ECONNRESET, EPIPE).
 */
export function isConnectionLoss(err: unknown): boolean {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return (
    code.startsWith('08') ||
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    code.startsWith('CONNECTION_') ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ETIMEDOUT'
  );
}

export class Pipeline {
  static readonly window = 32;
  private queue: InFlight[] = [];
  private lastResolved = performance.now();
  private lost: PipelineFailure | null = null;

  constructor(
    private readonly sql: Sql,
    /** a migration was acknowledged as committed; `synchronous`: it and all before it are durable */
    private readonly record: (m: Migration, ms: number, synchronous: boolean) => void,
    /** a text failed with 55P03: true to re-send it (after rollback) and everything behind it */
    private readonly retryOnLock: (item: Sent, err: unknown) => Promise<boolean>,
    /** sees every text sent (db/lock-timeout.ts LockWatch: what a stalled one waits for) */
    private readonly track: <T>(sent: PromiseLike<T>) => Promise<T> = (sent) => Promise.resolve(sent),
  ) {}

  /** The newest migration still in flight (null: everything sent so far has committed). */
  tail(): Migration | null {
    return this.queue.at(-1)?.m ?? null;
  }

  async send(item: Sent): Promise<void> {
    if (this.lost) throw this.lost;
    this.queue.push(this.dispatch(item));
    if (this.queue.length >= Pipeline.window) await this.drain(Pipeline.window / 2);
  }

  private dispatch(item: Sent): InFlight {
    const sentAt = performance.now();
    const result = this.track(this.sql.unsafe(item.sent.text)).then(() => {
      const now = performance.now();
      this.record(item.m, now - Math.max(sentAt, this.lastResolved), item.synchronous);
      this.lastResolved = now;
    });
    // Seen in the same turn as the error, before the socket's close event could make
    // postgres.js reconnect for whatever it still holds.
    result.catch((err) => {
      if (!this.lost && isConnectionLoss(err)) this.loseConnection(item, err);
    });
    return { ...item, result, sentAt };
  }

  private loseConnection(item: Sent, err: unknown): void {
    this.lost = new PipelineFailure(item, err, true);
    this.sql.end({ timeout: 0 }).catch(() => {});
  }

  /** Waits until at most `keep` migrations are in flight; the first failure is thrown. */
  async drain(keep: number): Promise<void> {
    while (this.queue.length > keep) {
      const item = this.queue.shift()!;
      try {
        await item.result;
      } catch (err) {
        const rest = this.queue;
        this.queue = [];
        if (this.lost) throw this.lost;
        if ((err as { code?: string }).code === '55P03' && (await this.retryOnLock(item, err))) {
          this.queue = [item, ...rest].map((x) => this.dispatch(x));
          continue;
        }
        throw new PipelineFailure(item, err, isConnectionLoss(err));
      }
    }
  }

  /** When the connection is gone: the failure that ended it. */
  lostConnection(): PipelineFailure | null {
    return this.lost;
  }
}
