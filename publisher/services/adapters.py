"""The one place a command gets its platform adapters.

Every use case that talks to the platforms (the flush, ``accounts check``,
validation at schedule time, token warnings) builds them here: the
workspace's outbox and media folders, the keyring, the clock it was given.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from publisher.platforms.registry import Adapters
from publisher.services.context import Context

if TYPE_CHECKING:  # the session is made and used in the platforms layer
    import requests

    from publisher.services.secrets import KeyringSecrets


def adapters_for(
    context: Context,
    clock: Callable[[], datetime],
    *,
    session: requests.Session | None = None,
    make_session: Callable[[], requests.Session] | None = None,
) -> Adapters:
    """Adapters for the workspace's accounts. The HTTP session (``session``, else one
    from ``make_session`` or the default) and the keyring are opened when an adapter
    first needs them: a flush with nothing to send loads neither."""
    extra: dict[str, Any] = {} if make_session is None else {"make_session": make_session}
    return Adapters(outbox_dir=context.workspace.outbox_dir, secrets=LazyKeyring(),
                    clock=clock, session=session, media_dir=context.workspace.media_dir,
                    **extra)


class LazyKeyring:
    """The keyring, loaded and asked when a secret is first needed: a minute with
    nothing to send to an account that has one never loads the keyring package."""

    def __init__(self) -> None:
        self._store: KeyringSecrets | None = None

    def _open(self) -> KeyringSecrets:
        if self._store is None:
            from publisher.services.secrets import KeyringSecrets

            self._store = KeyringSecrets()
        return self._store

    def require_open(self) -> None:
        self._open().require_open()

    def get(self, account_id: str, part: str | None = None) -> str | None:
        return self._open().get(account_id, part)

    def set(self, account_id: str, value: str, part: str | None = None) -> None:
        self._open().set(account_id, value, part)
