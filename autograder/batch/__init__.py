"""Grade a whole class: discover submissions, grade them in parallel, keep grades in a gradebook."""
