"""How intake's cases and petitions are stored (PostgreSQL through asyncpg)."""
