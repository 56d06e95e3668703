"""A queue item's media as the adapters take them, and what scheduling says of videos.

One place builds a :class:`MediaFile` from what the queue kept (scheduling checks it,
the flush sends it): the file resolved inside media/ again, and a video's subtitle
files with it.
"""

from __future__ import annotations

from collections.abc import Iterable

from publisher.domain.accounts import Account
from publisher.i18n import _
from publisher.platforms.base import MediaFile, SubtitleFile
from publisher.platforms.registry import Adapters, UnsupportedPlatform
from publisher.storage.queue import MediaSnapshot
from publisher.storage.workspace import Workspace


def media_file(workspace: Workspace, snapshot: MediaSnapshot) -> MediaFile:
    """The file to send (a UserError when it is no longer a file inside media/)."""
    subtitles = tuple(SubtitleFile(s.locale, workspace.media_file(
        s.file, field=f"media.subtitles.{s.locale}")) for s in snapshot.subtitles)
    return MediaFile(workspace.media_file(snapshot.file), snapshot.alt, snapshot.sha256,
                     subtitles)


def subtitle_notices(
    adapters: Adapters, posts: Iterable[tuple[Account, tuple[MediaSnapshot, ...]]],
) -> list[str]:
    """Where a video's subtitles will not go with it: the platform takes no subtitle
    files (burning them into the picture is the editor's job, not ours).

    ``posts``: (account, media) pairs."""
    notices = []
    for account, media in posts:
        if not any(m.subtitles for m in media):
            continue
        try:
            limits = adapters.for_account(account).abilities.video
        except UnsupportedPlatform:
            continue
        if limits is not None and not limits.subtitles:
            notices.append(_(
                "{account}: {platform} takes no subtitle files; the video goes without "
                "them (burn them into the picture if its audience needs them)").format(
                    account=account.id, platform=account.platform))
    return notices

