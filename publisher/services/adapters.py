"""The one place a command gets its platform adapters.

Every use case that talks to the platforms (the flush, ``accounts check``,
validation at schedule time, token warnings) builds them here: the
workspace's outbox and media folders, the keyring, the clock it was given.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from publisher.platforms.registry import Adapters
from publisher.services.context import Context
from publisher.services.secrets import KeyringSecrets

if TYPE_CHECKING:  # the session is made and used in the platforms layer
    import requests


def adapters_for(
    context: Context, clock: Callable[[], datetime], *, session: requests.Session | None = None
) -> Adapters:
    """Adapters for the workspace's accounts (a new session unless one is given)."""
    return Adapters(outbox_dir=context.workspace.outbox_dir, secrets=KeyringSecrets(),
                    clock=clock, session=session, media_dir=context.workspace.media_dir)
