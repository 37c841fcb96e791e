-- {{service}}: {{title}}

