-- +goose Up
-- Read models built from events. Each row remembers the last event applied to it, so replays and
-- out-of-order deliveries are ignored (ordered by event time, then event id).
CREATE TABLE projections (
    projection_type text        NOT NULL,
    aggregate_id    text        NOT NULL,
    state           jsonb       NOT NULL,
    version         integer     NOT NULL,
    last_event_id   uuid        NOT NULL,
    last_event_type text        NOT NULL,
    last_event_time timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection_type, aggregate_id)
);

-- +goose Down
DROP TABLE projections;
