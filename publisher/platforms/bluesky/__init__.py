"""Bluesky: the adapter (adapter.py), its session (session.py) and the login (login.py)."""
