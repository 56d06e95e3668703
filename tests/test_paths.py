"""Every path stays inside the workspace: media files, the outbox, ``--out``, ids, modes.

A draft's ``[[media]] file`` is a path a person (or whoever can edit the draft)
writes by hand; the flush uploads what it names to the world. So it must name a
regular file inside ``<home>/media/``, resolved with its symlinks, at validate,
schedule and flush time.
"""

from __future__ import annotations

import json
import os
import random
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from queue_helpers import T0, add_account, cli, items, outbox_files, schedule

from publisher.domain.errors import UserError
from publisher.storage.workspace import Workspace

IMAGE = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
SECRET = b"token = 'do-not-publish'\n"
LATER = "2026-12-01T09:01:00+01:00"


def one_line(text: str) -> bool:
    return text.count("\n") == 1 and text.startswith("publisher: error: ")


def media_draft(home: Path, file: str, draft_id: str = "pic") -> None:
    (home / "drafts" / f"{draft_id}.toml").write_text(
        f'title = "{draft_id}"\nsource = "sq"\naccounts = ["box"]\napproved = true\n\n'
        f'[variants.sq]\ntext = """Lajm me foto."""\n\n'
        f'[[media]]\nfile = {json.dumps(file)}\nalt.sq = "Foto"\n',
        encoding="utf-8",
    )


@pytest.fixture
def ws(home: Path) -> Path:
    add_account(home, "box", "--platform", "outbox", "--locales", "sq")
    (home / "media" / "ok.png").write_bytes(IMAGE)
    # A file that must never be published: beside the workspace, not in it.
    (home.parent / "secret.txt").write_bytes(SECRET)
    return home


def _dotdot(home: Path) -> str:
    return "media/../../secret.txt"


def _absolute(home: Path) -> str:
    return str(home.parent / "secret.txt")


def _link_to_accounts(home: Path) -> str:
    (home / "media" / "x.png").symlink_to("../accounts.toml")
    return "media/x.png"


def _link_outside(home: Path) -> str:
    (home / "media" / "x.png").symlink_to(home.parent / "secret.txt")
    return "media/x.png"


def _not_in_media(home: Path) -> str:
    return "accounts.toml"


def _fifo(home: Path) -> str:
    os.mkfifo(home / "media" / "pipe.png")
    return "media/pipe.png"


def _folder(home: Path) -> str:
    (home / "media" / "album").mkdir()
    return "media/album"


def _media_link_out(home: Path) -> str:
    # The media folder itself leads out of the workspace.
    outside = home.parent / "elsewhere"
    outside.mkdir()
    (outside / "x.png").write_bytes(IMAGE)
    (home / "media" / "ok.png").unlink()
    (home / "media").rmdir()
    (home / "media").symlink_to(outside)
    return "media/x.png"


BAD_MEDIA = [_dotdot, _absolute, _link_to_accounts, _link_outside, _not_in_media, _fifo,
             _folder, _media_link_out]


@pytest.mark.parametrize("make", BAD_MEDIA, ids=lambda f: f.__name__.strip("_"))
def test_validate_refuses_media_outside_the_media_folder(ws: Path, make) -> None:
    media_draft(ws, make(ws))
    result = cli(ws, "drafts", "validate")
    assert result.code == 2
    assert one_line(result.err), result.err
    assert "drafts/pic.toml" in result.err and "media.file" in result.err


@pytest.mark.parametrize("make", BAD_MEDIA, ids=lambda f: f.__name__.strip("_"))
def test_schedule_refuses_media_outside_the_media_folder(ws: Path, make) -> None:
    media_draft(ws, make(ws))
    result = cli(ws, "schedule", "pic", "--at", T0, "--now", T0)
    assert result.code == 2
    assert one_line(result.err), result.err
    assert "media.file" in result.err
    assert not (ws / "queue.sqlite3").exists() or items(ws) == []


def test_media_inside_the_folder_is_fine(ws: Path) -> None:
    (ws / "media" / "2026").mkdir()
    (ws / "media" / "2026" / "flag.png").write_bytes(IMAGE)
    (ws / "media" / "alias.png").symlink_to("2026/flag.png")  # a link that stays inside
    media_draft(ws, "media/2026/flag.png")
    media_draft(ws, "media/alias.png", "other")
    assert cli(ws, "drafts", "validate").code == 0
    schedule(ws, "pic")
    schedule(ws, "other")
    assert cli(ws, "flush", "--now", LATER).code == 0
    assert len(outbox_files(ws)) == 2


def test_flush_refuses_an_image_swapped_for_a_link_after_scheduling(ws: Path) -> None:
    # The same bytes outside the workspace: the snapshot's digest still matches,
    # only the place is wrong. The flush must not follow the link.
    (ws.parent / "copy.png").write_bytes(IMAGE)
    media_draft(ws, "media/ok.png")
    schedule(ws, "pic")
    (ws / "media" / "ok.png").unlink()
    (ws / "media" / "ok.png").symlink_to(ws.parent / "copy.png")
    result = cli(ws, "flush", "--now", LATER)
    assert result.code == 4
    (item,) = items(ws)
    assert item["state"] == "failed" and "media" in item["error"]
    assert "\n" not in item["error"]
    assert outbox_files(ws) == []


def test_send_checks_the_media_again_before_uploading(ws: Path) -> None:
    """An item whose snapshot names a file outside media/ (queued before the rule)
    fails at send time, even when its draft check passed."""
    from publisher.platforms.registry import Adapters
    from publisher.services.context import open_context
    from publisher.services.flush import Flusher
    from publisher.storage.queue import MediaSnapshot, NewItem, Queue

    context = open_context(ws)
    now = datetime(2026, 12, 1, 8, 1, tzinfo=UTC)
    snapshot = MediaSnapshot("media/../../secret.txt", "Foto", "")
    new = NewItem("pic", "box", "outbox", ("sq",), "Lajm me foto.", "hash", now, "pub-k1",
                  media=(snapshot,))
    with Queue(context.workspace.queue_path) as queue:
        queue.add([new], now=now, actor="test")
        (item,) = queue.items()
        adapters = Adapters(outbox_dir=context.workspace.outbox_dir,
                            secrets=None, clock=lambda: now)  # type: ignore[arg-type]
        flusher = Flusher(context, queue, adapters, lambda: now, random.Random(1))
        flusher.send(item)
        (after,) = queue.items()
    assert after.state.value == "failed"
    assert "media" in (after.last_error or "") and "\n" not in (after.last_error or "")
    assert outbox_files(ws) == []


PARTS = st.sampled_from(["media", "ok.png", "in", "out", "..", ".", "", "accounts.toml", "x\n"])
MEDIA_PATHS = st.builds(lambda lead, parts: lead + "/".join(parts),
                        st.sampled_from(["", "/", "./", "media/"]), st.lists(PARTS, max_size=5))


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(MEDIA_PATHS)
@example("media/in/ok.png").via("a link to media/ itself")
@example("media/out/accounts.toml").via("a link out of media/")
def test_media_file_never_leaves_the_media_folder(ws: Path, relative: str) -> None:
    if not (ws / "media" / "out").is_symlink():
        (ws / "media" / "out").symlink_to("..")  # back to the workspace: out of media/
        (ws / "media" / "in").symlink_to(".")    # media/ itself
    media = Path(os.path.realpath(ws / "media"))
    try:
        path = Workspace(ws).media_file(relative)
    except UserError as error:
        assert "\n" not in str(error)
        return
    assert path.is_relative_to(media) and path != media
    assert stat.S_ISREG(os.stat(path).st_mode)
