-- +goose Up
-- One row per event and destination, written in the same transaction as event_store; the relay
-- deletes a row only once its destination acknowledged it (at-least-once delivery).
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    event_id        uuid        NOT NULL REFERENCES event_store (event_id),
    destination     text        NOT NULL,
    event           jsonb       NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- The relay's query: due rows, oldest first.
CREATE INDEX outbox_due ON outbox (next_attempt_at, id);

-- +goose Down
DROP TABLE outbox;
