"""Telegram channels through the Bot API: the adapter (adapter.py) and the login (login.py)."""
