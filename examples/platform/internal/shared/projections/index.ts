// eventhandler's `projections` table, and the only code that touches it. eventhandler writes through
// it; query reads through it (declared in svcdb.config.ts: `reads ... via internal/shared/projections`),
// so `svcdb check-ownership` can tell a declared read from a service reaching into another's table.
import { jsonValue, type Sql } from '../kit/db.js';

export type ProjectionType = 'sensor_state' | 'user_session';

export interface Projection {
  type: string;
  aggregate_id: string;
  state: Record<string, unknown>;
  /** how many events changed it */
  version: number;
  last_event_id: string;
  last_event_type: string;
  last_event_time: string;
  updated_at: string;
}

export interface ProjectionUpdate {
  type: ProjectionType;
  aggregate_id: string;
  state: Record<string, unknown>;
  event_id: string;
  event_type: string;
  event_time: string;
}

interface ProjectionRow {
  projection_type: string;
  aggregate_id: string;
  state: Record<string, unknown>;
  version: number;
  last_event_id: string;
  last_event_type: string;
  last_event_time: Date;
  updated_at: Date;
}

/**
 * Applies an event unless the projection already reflects a later (or the same) one, ordered by
 * (event time, event id): replays and out-of-order deliveries change nothing. True when applied.
 */
export async function applyProjection(sql: Sql, update: ProjectionUpdate): Promise<boolean> {
  const rows = await sql`
    insert into projections
      (projection_type, aggregate_id, state, version, last_event_id, last_event_type, last_event_time, updated_at)
    values
      (${update.type}, ${update.aggregate_id}, ${sql.json(jsonValue(update.state))}, 1,
       ${update.event_id}, ${update.event_type}, ${update.event_time}, now())
    on conflict (projection_type, aggregate_id) do update set
      state = excluded.state,
      version = projections.version + 1,
      last_event_id = excluded.last_event_id,
      last_event_type = excluded.last_event_type,
      last_event_time = excluded.last_event_time,
      updated_at = now()
    where (projections.last_event_time, projections.last_event_id)
        < (excluded.last_event_time, excluded.last_event_id)
    returning version`;
  return rows.length > 0;
}

export async function getProjection(sql: Sql, type: string, aggregateId: string): Promise<Projection | null> {
  const rows = await sql<ProjectionRow[]>`
    select projection_type, aggregate_id, state, version, last_event_id, last_event_type, last_event_time, updated_at
    from projections
    where projection_type = ${type} and aggregate_id = ${aggregateId}`;
  return rows.length ? toProjection(rows[0]) : null;
}

export async function listProjections(
  sql: Sql,
  type: string,
  page: { limit: number; offset: number },
): Promise<{ items: Projection[]; total: number }> {
  const rows = await sql<ProjectionRow[]>`
    select projection_type, aggregate_id, state, version, last_event_id, last_event_type, last_event_time, updated_at
    from projections
    where projection_type = ${type}
    order by aggregate_id
    limit ${page.limit} offset ${page.offset}`;
  const [{ total }] = await sql<{ total: number }[]>`
    select count(*)::int as total from projections where projection_type = ${type}`;
  return { items: rows.map(toProjection), total };
}

function toProjection(row: ProjectionRow): Projection {
  return {
    type: row.projection_type,
    aggregate_id: row.aggregate_id,
    state: row.state,
    version: row.version,
    last_event_id: row.last_event_id,
    last_event_type: row.last_event_type,
    last_event_time: row.last_event_time.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
