-- {{service}}: {{title}}
-- The whole file is the up migration (plain SQL has no down section).

