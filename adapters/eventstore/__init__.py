"""Where events are kept: the library's stores (memory, SQLite, PostgreSQL), configured."""
