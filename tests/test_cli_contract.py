"""The command line's promises from PRODUCT.md that an audit found unkept:
JSON whenever --json is asked, a time picked when none is given, and one
line with exit 2 (never a traceback) for a path or file the system refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli, run_process, snapshot_tree
from fakes.telegram import FakeTelegram
from queue_helpers import T0, add_account, cli, items, write_draft

from publisher.storage.lock import FileLock


@pytest.fixture
def ws(home: Path) -> Path:
    add_account(home, "box-a", "--platform", "outbox", "--locales", "sq")
    write_draft(home, "news", ["box-a"])
    return home


def _one_line_error(result) -> None:
    assert result.code == 2
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("publisher: error: "), result.err


def test_flush_json_answers_in_json_while_another_flush_holds_the_lock(ws: Path) -> None:
    cli(ws, "schedule", "news", "--at", T0, "--now", T0)
    with FileLock(ws / ".flush.lock"):
        plain = cli(ws, "flush", "--now", T0)
        as_json = cli(ws, "flush", "--now", T0, "--json")
    assert plain.code == 75 and plain.out == "" and plain.err == ""  # cron stays silent
    assert as_json.code == 75
    data = json.loads(as_json.out)
    assert data["exit_code"] == 75 and data["locked"] is True and data["outcomes"] == []
    assert [item["state"] for item in items(ws)] == ["queued"]  # nothing done


def test_schedule_without_a_time_places_the_draft_itself(ws: Path) -> None:
    result = cli(ws, "schedule", "news", "--now", T0, "--json")
    assert result.code == 0, result.err
    placed = json.loads(result.out)["placed"]
    assert [(p["draft"], p["account"], p["locales"]) for p in placed] == [
        ("news", "box-a", ["sq"])]
    assert [item["state"] for item in items(ws)] == ["queued"]


def test_export_to_a_folder_is_one_line_and_writes_nothing(ws: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    result = cli(ws, "translations", "export", "--locale", "en", "--out", str(folder))
    _one_line_error(result)
    assert str(folder) in result.err
    assert list(folder.iterdir()) == [] and list(tmp_path.glob(".out.*")) == []


def test_a_queue_file_that_is_not_a_database_is_one_line(ws: Path) -> None:
    (ws / "queue.sqlite3").write_bytes(b"not a database " * 20)
    before = snapshot_tree(ws)
    for args in (("queue",), ("flush", "--now", T0), ("schedule", "news", "--at", T0, "--now", T0)):
        result = cli(ws, *args)
        _one_line_error(result)
        assert "queue.sqlite3" in result.err
    after = snapshot_tree(ws)
    after.pop(".flush.lock", None)  # the lock file itself; its lock died with the flush
    assert after == before


def test_a_path_the_system_refuses_is_one_line(ws: Path) -> None:
    (ws / "drafts").rename(ws / "drafts-aside")
    (ws / "drafts").write_text("a file where the drafts folder belongs\n")
    result = cli(ws, "drafts", "new", "fresh")
    _one_line_error(result)
    assert "drafts" in result.err


def test_slots_count_has_a_ceiling(ws: Path) -> None:
    _one_line_error(cli(ws, "slots", "box-a", "--count", "100000", "--now", T0))
    assert cli(ws, "slots", "box-a", "--count", "3", "--now", T0).code == 0


def test_very_verbose_logs_never_show_a_bot_token(ws: Path) -> None:
    """-vv prints urllib3's request lines; Telegram's token sits in their path."""
    with FakeTelegram() as tg:
        add_account(ws, "tg", "--platform", "telegram", "--api-base", tg.url,
                    "--handle", tg.channel, "--locales", "sq")
        stored = run_cli("--home", str(ws), "accounts", "set-secret", "tg", stdin=tg.token + "\n")
        assert stored.code == 0, stored.err
        write_draft(ws, "bulletin", ["tg"])
        assert cli(ws, "schedule", "bulletin", "--at", T0, "--now", T0).code == 0
        flushed = run_process("--home", str(ws), "-vv", "flush", "--now", T0)
        checked = run_process("--home", str(ws), "-vv", "accounts", "check", "tg")
    assert flushed.code == 0 and checked.code == 0, flushed.err + checked.err
    assert len(tg.messages) == 1
    assert '"POST /bot***/sendMessage' in flushed.err  # the request line is there, masked
    assert tg.token not in flushed.out + flushed.err + checked.out + checked.err
    assert tg.token.split(":")[1] not in flushed.err + checked.err


def test_log_lines_mask_tokens_in_query_strings() -> None:
    import logging

    from publisher.cli import _RedactSecrets

    record = logging.LogRecord(
        "urllib3.connectionpool", logging.DEBUG, __file__, 1, '%s "%s %s" %s',
        ("https://graph.facebook.com:443", "GET",
         "/v21.0/oauth/access_token?grant_type=fb_exchange_token&client_id=42"
         "&client_secret=APPSECRET&fb_exchange_token=USERTOKEN", 200), None)
    assert _RedactSecrets().filter(record)
    line = record.getMessage()
    assert "APPSECRET" not in line and "USERTOKEN" not in line
    assert "client_id=42" in line and "client_secret=***" in line


def test_numbers_past_any_sensible_range_are_refused_not_stored(ws: Path) -> None:
    """A giant number would be stored, then break scheduling or every flush after it."""
    before = snapshot_tree(ws)
    for args in (
        ("accounts", "add", "big", "--platform", "outbox", "--max-lateness", "9" * 20),
        ("accounts", "add", "big", "--platform", "outbox", "--min-gap", "9" * 20),
        ("accounts", "set", "box-a", "--max-lateness", "9" * 20),
        ("accounts", "set", "box-a", "--max-per-day", "100000"),
        ("retry", "9" * 23),
        ("cancel", "9" * 23),
    ):
        result = cli(ws, *args)
        _one_line_error(result)
        assert "at most" in result.err, args
    assert snapshot_tree(ws) == before
    assert cli(ws, "accounts", "set", "box-a", "--max-lateness", str(366 * 24 * 60)).code == 0


def test_check_without_a_stored_secret_needs_a_person(ws: Path) -> None:
    """Exit 4 (a person must act), not 3 (passing) when the network is down too."""
    with FakeTelegram() as tg:
        add_account(ws, "tg", "--platform", "telegram", "--api-base", tg.url,
                    "--handle", tg.channel, "--locales", "sq")
        result = cli(ws, "accounts", "check", "tg")
        assert result.code == 4, result.err
        assert "publisher accounts login tg" in result.err
        assert tg.requests_to("POST", f"/bot{tg.token}/getMe") == []
    add_account(ws, "offline", "--platform", "telegram", "--api-base", "http://127.0.0.1:9",
                "--locales", "sq")
    assert cli(ws, "accounts", "check", "offline").code == 4
