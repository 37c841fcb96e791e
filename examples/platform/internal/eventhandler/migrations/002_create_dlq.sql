-- +goose Up
-- Events eventhandler could not turn into a projection. tsdb and actions have a table of the same
-- name: the example's `dev` profile uses the `schema` strategy so the three never meet.
CREATE TABLE dlq (
    id         bigserial PRIMARY KEY,
    event_id   text,
    event      jsonb       NOT NULL,
    error      text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE dlq;
