-- +goose Up
-- {{service}}: the service's first migration. Create the tables it owns here; no other
-- service may read or write them (svcdb check-ownership enforces it).


-- +goose Down

