-- +goose Up
-- Webhook calls that failed (and events that could not be read). Same table name as
-- eventhandler's and tsdb's dlq: kept apart by the `schema` profile.
CREATE TABLE dlq (
    id         bigserial PRIMARY KEY,
    event_id   text,
    action_id  uuid,
    event      jsonb       NOT NULL,
    error      text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE dlq;
