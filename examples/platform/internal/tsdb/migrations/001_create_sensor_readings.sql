-- Plain SQL (no annotations): all of it is the up migration.
-- One row per sensor.* event that carries a numeric value; the event id makes redelivery harmless.
CREATE TABLE sensor_readings (
    event_id    uuid PRIMARY KEY,
    sensor_id   text             NOT NULL,
    event_type  text             NOT NULL,
    recorded_at timestamptz      NOT NULL,
    value       double precision NOT NULL,
    payload     jsonb            NOT NULL,
    inserted_at timestamptz      NOT NULL DEFAULT now()
);

CREATE INDEX sensor_readings_series ON sensor_readings (sensor_id, recorded_at DESC);
