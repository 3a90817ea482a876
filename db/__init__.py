"""chibo's database: models, sessions and migrations."""
