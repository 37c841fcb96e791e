-- migrate:up
-- {{service}}: {{title}}


-- migrate:down

