-- +goose Up
-- {{service}}: {{title}}
-- Write the change here. Each migration runs in its own transaction; add
-- `-- +goose NO TRANSACTION` at the top for statements such as CREATE INDEX CONCURRENTLY.


-- +goose Down
-- Undo the change here (used by `svcdb down`).

