"""How dispatch's cases, assignments and duty catalogue are stored (PostgreSQL)."""
