"""Use cases: the application services, their queries and commands, and the ports they need."""
