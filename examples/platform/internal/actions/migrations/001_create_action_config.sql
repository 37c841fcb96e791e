-- +goose Up
-- Webhooks to call for events of a type: an exact type ("sensor.reading"), a prefix ("sensor.*"),
-- or every event ("*").
CREATE TABLE action_config (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_type  text        NOT NULL,
    webhook_url text        NOT NULL,
    enabled     boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE action_config;
