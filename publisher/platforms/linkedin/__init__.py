"""LinkedIn: the adapter (adapter.py), its token rules (tokens.py) and the login (login.py)."""
