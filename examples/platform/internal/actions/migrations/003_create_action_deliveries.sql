-- +goose Up
-- Which webhook already handled which event, so a redelivered event does not call it twice.
CREATE TABLE action_deliveries (
    action_id    uuid        NOT NULL REFERENCES action_config (id) ON DELETE CASCADE,
    event_id     uuid        NOT NULL,
    outcome      text        NOT NULL CHECK (outcome IN ('delivered', 'dead-lettered')),
    delivered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (action_id, event_id)
);

-- +goose Down
DROP TABLE action_deliveries;
