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
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import snapshot_tree
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from queue_helpers import T0, add_account, cli, items, outbox_files, schedule

from publisher.domain.accounts import check_account_id
from publisher.domain.audiences import check_name
from publisher.domain.drafts import check_draft_id
from publisher.domain.errors import UserError
from publisher.platforms.base import Post, Rejected
from publisher.platforms.outbox.adapter import OutboxAdapter
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


# The outbox folder


def _post() -> Post:
    from publisher.domain.accounts import make_account

    return Post(make_account("box", "outbox", locales=["sq"]), "Lajm.", ("sq",))


def test_outbox_refuses_an_outbox_folder_leading_out(home: Path) -> None:
    outside = home.parent / "elsewhere"
    outside.mkdir()
    (home / "outbox").symlink_to(outside)
    adapter = OutboxAdapter(home / "outbox", "box")
    with pytest.raises(Rejected) as refused:
        adapter.publish(_post(), "pub-k1")
    assert "\n" not in refused.value.message
    assert list(outside.rglob("*")) == []


def test_outbox_refuses_an_account_folder_leading_out(home: Path) -> None:
    outside = home.parent / "elsewhere"
    outside.mkdir()
    (home / "outbox").mkdir()
    (home / "outbox" / "box").symlink_to(outside)
    adapter = OutboxAdapter(home / "outbox", "box")
    with pytest.raises(Rejected):
        adapter.publish(_post(), "pub-k1")
    with pytest.raises(Rejected):
        adapter.find("pub-k1", _post())
    assert list(outside.rglob("*")) == []


def test_outbox_refuses_a_record_that_is_a_link(home: Path) -> None:
    # A link where the record would be must neither pass for "published already"
    # nor be written through.
    target = home.parent / "target.json"
    target.write_text("{}")
    (home / "outbox" / "box").mkdir(parents=True)
    (home / "outbox" / "box" / "pub-k1.json").symlink_to(target)
    adapter = OutboxAdapter(home / "outbox", "box")
    with pytest.raises(Rejected):
        adapter.publish(_post(), "pub-k1")
    with pytest.raises(Rejected):
        adapter.find("pub-k1", _post())
    assert target.read_text() == "{}"


def test_flush_fails_the_item_when_the_outbox_leads_out(ws: Path) -> None:
    outside = ws.parent / "elsewhere"
    outside.mkdir()
    (ws / "outbox").symlink_to(outside)
    media_draft(ws, "media/ok.png")
    schedule(ws, "pic")
    result = cli(ws, "flush", "--now", LATER)
    assert result.code == 4
    (item,) = items(ws)
    assert item["state"] == "failed" and "outbox" in item["error"]
    assert list(outside.rglob("*")) == []


def test_outbox_writes_each_record_once(home: Path) -> None:
    adapter = OutboxAdapter(home / "outbox", "box")
    first = adapter.publish(_post(), "pub-k1")
    record = home / "outbox" / "box" / "pub-k1.json"
    before = record.read_bytes()
    assert adapter.publish(_post(), "pub-k1") == first
    assert record.read_bytes() == before
    assert [p.name for p in (home / "outbox" / "box").iterdir()] == ["pub-k1.json"]


# --out of an export


def _link_to_queue(home: Path) -> Path:
    link = home.parent / "looks-harmless.po"
    link.symlink_to(home / "queue.sqlite3")
    return link


OWN_FILES = [
    lambda home: home / "queue.sqlite3",
    lambda home: home / "drafts" / "pic.toml",
    lambda home: home / "accounts.toml",
    _link_to_queue,
]


@pytest.mark.parametrize("target", OWN_FILES, ids=["queue", "draft", "accounts", "link"])
def test_export_never_overwrites_the_workspace(ws: Path, target) -> None:
    media_draft(ws, "media/ok.png")
    schedule(ws, "pic")
    out = target(ws)
    before = snapshot_tree(ws)
    result = cli(ws, "translations", "export", "--locale", "en", "--out", str(out))
    assert result.code == 2
    assert one_line(result.err), result.err
    assert snapshot_tree(ws) == before


# Ids in full: '$' also matches before a trailing newline


@pytest.mark.parametrize("argv", [
    ("drafts", "new", "x\n"),
    ("accounts", "add", "a\n", "--platform", "outbox", "--locales", "sq"),
    ("accounts", "add", "a", "--platform", "outbox", "--locales", "sq", "--audience", "n\n"),
    ("audiences", "add", "n\n", "--timezone", "Europe/Belgrade",
     "--window", "MO-FR 08:00-10:00 1 morning"),
    ("accounts", "add", "m", "--platform", "mastodon", "--locales", "sq",
     "--api-base", "https://mastodon.example\n"),
    ("accounts", "add", "ig", "--platform", "instagram", "--locales", "sq",
     "--media-url", "https://embassy.example/media\n"),
], ids=["draft", "account", "account-audience", "audience", "api-base", "media-url"])
def test_an_id_with_a_trailing_newline_is_refused(home: Path, argv: tuple[str, ...]) -> None:
    before = snapshot_tree(home)
    result = cli(home, *argv)
    assert result.code == 2
    assert one_line(result.err), result.err
    assert snapshot_tree(home) == before


def test_an_accounts_file_key_with_a_newline_is_one_line(home: Path) -> None:
    with (home / "accounts.toml").open("a") as handle:
        handle.write('\n[accounts."a\\n"]\nplatform = "outbox"\nlocales = ["sq"]\n')
    result = cli(home, "accounts", "list")
    assert result.code == 2
    assert one_line(result.err), result.err


@pytest.mark.parametrize("name", ["Bad Name", "x\n"])
def test_a_draft_file_with_a_bad_name_is_one_error_line(ws: Path, name: str) -> None:
    media_draft(ws, "media/ok.png")
    (ws / "drafts" / f"{name}.toml").write_text('title = "stray"\n')
    listing = cli(ws, "drafts", "list")
    assert "pic" in listing.out
    assert listing.code == 2 and one_line(listing.err), listing.err
    data = json.loads(cli(ws, "drafts", "list", "--json").out)
    assert [d["id"] for d in data["drafts"]] == ["pic"]
    assert len(data["errors"]) == 1 and "\n" not in data["errors"][0]
    # Scheduling the good draft is not disturbed by the stray file.
    schedule(ws, "pic")


@given(st.text(max_size=12))
@example("x\n").via("a '$' match")
def test_accepted_ids_are_lower_case_words(text: str) -> None:
    for check in (check_draft_id, check_account_id, check_name):
        try:
            check(text)
        except UserError:
            continue
        assert text and text[0] != "-"
        assert set(text) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


# Modes follow the umask


def _run(umask: int, *argv: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "publisher", *argv], capture_output=True,
                          text=True, timeout=60, umask=umask)
    assert done.returncode == 0, done.stderr
    return done


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.mark.parametrize("umask", [0o002, 0o077, 0o022])
def test_new_files_and_folders_follow_the_umask(tmp_path: Path, umask: int) -> None:
    home = tmp_path / "ws"
    _run(umask, "init", str(home))
    _run(umask, "--home", str(home), "accounts", "add", "box", "--platform", "outbox",
         "--locales", "sq")
    _run(umask, "--home", str(home), "drafts", "new", "news")
    text = (home / "drafts" / "news.toml").read_text()
    (home / "drafts" / "news.toml").write_text(
        text.replace("accounts = []", 'accounts = ["box"]').replace('text = """"""',
                                                                    'text = """Lajm."""'))
    _run(umask, "--home", str(home), "drafts", "approve", "news")
    _run(umask, "--home", str(home), "schedule", "news", "--at", T0, "--now", T0)
    _run(umask, "--home", str(home), "flush", "--now", LATER)
    _run(umask, "--home", str(home), "backup", "--now", LATER)
    files = [home / "publisher.toml", home / "accounts.toml", home / "drafts" / "news.toml",
             home / "queue.sqlite3", home / "journal.jsonl", *outbox_files(home),
             *sorted((home / "backups").iterdir())]
    folders = [home, home / "drafts", home / "media", home / "outbox", home / "outbox" / "box",
               home / "backups"]
    assert len(files) == 8, files
    assert {str(p.relative_to(home)): oct(_mode(p)) for p in files} == {
        str(p.relative_to(home)): oct(0o666 & ~umask) for p in files}
    assert {str(p.relative_to(home)): oct(_mode(p)) for p in folders} == {
        str(p.relative_to(home)): oct(0o777 & ~umask) for p in folders}


def test_an_edited_file_keeps_its_own_mode(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    _run(0o002, "init", str(home))
    os.chmod(home / "accounts.toml", 0o640)
    _run(0o002, "--home", str(home), "accounts", "add", "box", "--platform", "outbox",
         "--locales", "sq")
    assert _mode(home / "accounts.toml") == 0o640
    assert "box" in (home / "accounts.toml").read_text()


def test_the_queue_is_shared_like_the_workspace(tmp_path: Path) -> None:
    # SQLite makes a new database 0644 whatever the umask; a group-shared
    # workspace (umask 002) needs the queue and its companions group-writable.
    home = tmp_path / "ws"
    _run(0o002, "init", str(home))
    _run(0o002, "--home", str(home), "queue")
    with sqlite3.connect(home / "queue.sqlite3") as db:
        db.execute("SELECT count(*) FROM items")
    assert _mode(home / "queue.sqlite3") == 0o664
