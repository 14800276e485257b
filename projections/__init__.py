"""Read models: PostgreSQL tables written exactly once by projection runners, read through asyncpg."""
