"""Meta: Facebook pages, Instagram and Threads through the Graph API.

facebook.py, instagram.py and threads.py are the adapters; containers.py the
container flow Instagram and Threads share; graph.py the one reading of Graph
API errors; tokens.py the token rules; login.py the logins.
"""
