-- +goose Up
-- Every accepted event, as received: ingestion's source of truth.
CREATE TABLE event_store (
    event_id     uuid PRIMARY KEY,
    event_type   text        NOT NULL,
    aggregate_id text        NOT NULL,
    payload      jsonb       NOT NULL,
    event_time   timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX event_store_aggregate ON event_store (aggregate_id, event_time);

-- +goose Down
DROP TABLE event_store;
