"""The offline outbox platform: posts become JSON files in the workspace (adapter.py)."""
