"""``accounts check``: do the stored credentials work, and whose are they?"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from publisher.domain.remedies import log_in
from publisher.i18n import _
from publisher.platforms.base import Identity, Post
from publisher.platforms.registry import Adapters
from publisher.services.adapters import adapters_for
from publisher.services.context import Context


def check_account(context: Context, account_id: str, clock: Callable[[], datetime]) -> Identity:
    """Ask the platform who the credentials belong to; raises a PlatformError kind."""
    from publisher.platforms.base import AuthFailed
    from publisher.services.secrets import has_secret

    account = context.account(account_id)
    if account.needs_secret and has_secret(account.id) is False:
        # Nothing to ask the platform with: a person must act, whatever the network says.
        raise AuthFailed(_("no secret stored"), remedy=log_in(account.id))
    return adapters_for(context, clock).for_account(account).check()


def platform_problems(
    context: Context, post: Post, clock: Callable[[], datetime], adapters: Adapters | None = None
) -> list[str]:
    """What the account's adapter says stops this post (no network, no secret needed)."""
    from publisher.platforms.registry import UnsupportedPlatform

    try:
        adapter = (adapters or adapters_for(context, clock)).for_account(post.account)
    except UnsupportedPlatform:
        return []  # the platform's text rules were checked already
    return adapter.validate(post)
