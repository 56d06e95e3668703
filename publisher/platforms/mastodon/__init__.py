"""Mastodon: the adapter (adapter.py) and the login (login.py); its tokens do not expire."""
