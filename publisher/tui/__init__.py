"""The terminal UI (Textual). Screens call services; they never talk SQL or HTTP.

Import :func:`publisher.tui.app.make_app` from here lazily: the command line
imports this package only when it opens the app.
"""
