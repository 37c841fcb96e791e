-- {{service}}: undo {{title}}

