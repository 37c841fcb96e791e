-- Plain SQL. Readings tsdb could not store. eventhandler and actions have a `dlq` too: only a
-- `schema` or `database` profile keeps the three apart (under `shared`, svcdb stops before migrating).
CREATE TABLE dlq (
    id         bigserial PRIMARY KEY,
    event_id   text,
    event      jsonb       NOT NULL,
    error      text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
