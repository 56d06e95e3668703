"""Pure domain model: no network, no terminal UI, no database."""
