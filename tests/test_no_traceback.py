"""No input ends in a traceback: each fault seen in the field is one line on stderr,
its exit code, and no file changed. The last-resort guard in ``main()`` turns a
fault nobody foresaw into one line and exit 70, with the traceback only at -vv."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import Result, run_cli, run_process, snapshot_tree
from queue_helpers import T0, add_account, cli, schedule, write_draft

LATER = "2026-12-03T09:00:00+01:00"
# SQLite's companions of an open queue and the flush lock's pid: not the user's data.
NOT_DATA = ("queue.sqlite3-wal", "queue.sqlite3-shm", ".flush.lock")


def one_line_error(result: Result, code: int = 2) -> str:
    assert "Traceback" not in result.err, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("publisher: error: "), result.err
    assert result.code == code, result.err
    return lines[0]


def data_files(home: Path) -> dict[str, bytes]:
    tree = snapshot_tree(home)
    for name in NOT_DATA:
        tree.pop(name, None)
    return tree


@pytest.fixture
def ws(home: Path) -> Path:
    """Two outbox accounts and three approved drafts, queued for T0."""
    add_account(home, "box-a", "--platform", "outbox", "--locales", "sq")
    add_account(home, "box-b", "--platform", "outbox", "--locales", "sq")
    for name in ("news", "visit", "greeting"):
        write_draft(home, name, ["box-a", "box-b"], text=f"Lajm ({name}) " * 40)
        schedule(home, name)
    return home


# Drafts and TOML files


@pytest.mark.parametrize("nesting", ["[" * 5000 + "]" * 5000, "{a = " * 3000 + "1" + "}" * 3000],
                         ids=["arrays", "inline-tables"])
def test_a_draft_nested_too_deeply_is_one_line(home: Path, nesting: str) -> None:
    (home / "drafts" / "deep.toml").write_text(f'title = "x"\naccounts = {nesting}\n')
    cli(home, "queue")  # the queue exists (scheduling makes it when it does not)
    before = snapshot_tree(home)
    for args in (("drafts", "show", "deep"), ("drafts", "check"), ("schedule", "deep")):
        line = one_line_error(cli(home, *args))
        assert "drafts/deep.toml" in line and "nested" in line
    assert snapshot_tree(home) == before


def test_accounts_toml_nested_too_deeply_is_one_line(home: Path) -> None:
    (home / "accounts.toml").write_text("[accounts.a]\nlocales = " + "[" * 5000 + "]" * 5000)
    before = snapshot_tree(home)
    line = one_line_error(cli(home, "accounts", "list"))
    assert "accounts.toml" in line
    assert snapshot_tree(home) == before


# The send queue: a damaged file, a read-only file


def _corrupt_table(queue: Path, table: str) -> None:
    """Overwrite the root page of ``table`` in the middle of the file with junk."""
    with sqlite3.connect(queue) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                          (table,)).fetchone()[0]
    data = bytearray(queue.read_bytes())
    assert len(data) > root * page_size  # a page in the middle, not the header
    data[(root - 1) * page_size:root * page_size] = b"\xa5" * page_size
    queue.write_bytes(bytes(data))


@pytest.mark.parametrize("command", [
    ("flush", "--now", LATER), ("queue",), ("cancel", "1"), ("retry", "1"),
])
def test_a_damaged_queue_page_is_one_line(ws: Path, command: tuple[str, ...]) -> None:
    _corrupt_table(ws / "queue.sqlite3", "items")
    before = data_files(ws)
    line = one_line_error(cli(ws, *command))
    assert "queue.sqlite3" in line and "malformed" in line
    assert data_files(ws) == before


def test_a_damaged_queue_in_a_cron_flush_is_one_line(ws: Path) -> None:
    _corrupt_table(ws / "queue.sqlite3", "items_by_state_due")
    one_line_error(run_process("--home", str(ws), "flush", "--now", LATER))


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a file refuse writes, also for root (for whom chmod stops nothing):
    the immutable attribute, when the file system and the container allow it."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    chattr = shutil.which("chattr")
    done = chattr and subprocess.run([chattr, "+i", str(path)], capture_output=True, text=True)
    if not done or done.returncode != 0:
        pytest.skip("running as root, where chmod does not stop writes, and 'chattr +i' "
                    f"is not available here ({done.stderr.strip() if done else 'no chattr'})")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


@pytest.mark.parametrize("command", [
    ("flush", "--now", LATER), ("cancel", "1"), ("pause", "--all"),
    ("pause", "--account", "box-a"),
    ("schedule", "fresh", "--at", LATER, "--now", T0),
])
def test_a_read_only_queue_is_one_line(ws: Path, command: tuple[str, ...]) -> None:
    write_draft(ws, "fresh", ["box-a"])
    before = data_files(ws)
    with read_only(ws / "queue.sqlite3"):
        result = cli(ws, *command)
    line = one_line_error(result)
    assert "queue.sqlite3" in line and "read-only" in line
    assert data_files(ws) == before


def test_a_read_only_queue_can_still_be_listed(ws: Path) -> None:
    with read_only(ws / "queue.sqlite3"):
        result = cli(ws, "queue", "--json")
    assert result.code == 0, result.err


# Options and imported files


@pytest.mark.parametrize("timeout", ["nan", "inf", "-inf", "1e400", "0", "-5", "ten"])
def test_login_timeout_must_be_a_finite_positive_number(home: Path, timeout: str) -> None:
    add_account(home, "x-main", "--platform", "x", "--api-base", "http://127.0.0.1:9")
    before = snapshot_tree(home)
    result = run_cli("--home", str(home), "accounts", "login", "x-main", "--timeout", timeout,
                     "--client-id", "abc", "--no-browser", "--port", "0", stdin="")
    line = one_line_error(result)
    assert "--timeout" in line
    assert snapshot_tree(home) == before


@pytest.mark.parametrize("content", [
    "weekday,hour,value\nMon,1," + "9" * 200_000 + "\n",
    'weekday,hour,value\nMon,1,"' + "x" * 200_000 + "\n",
], ids=["long-number", "open-quote"])
def test_an_audience_csv_with_a_huge_field_is_one_line(
    home: Path, tmp_path: Path, content: str
) -> None:
    source = tmp_path / "activity.csv"
    source.write_text(content)
    before = snapshot_tree(home)
    line = one_line_error(cli(home, "audiences", "import", "kosovo", str(source),
                              "--timezone", "Europe/Belgrade", "--now", T0))
    assert "activity.csv:2" in line
    assert snapshot_tree(home) == before


def test_an_engagement_csv_with_a_huge_field_is_one_line(home: Path, tmp_path: Path) -> None:
    cli(home, "audiences", "add", "kosovo", "--timezone", "Europe/Belgrade")
    add_account(home, "box-a", "--platform", "outbox", "--audience", "kosovo")
    source = tmp_path / "results.csv"
    source.write_text("time,engagement\n2026-11-01T10:00:00Z," + "7" * 200_000 + "\n")
    before = snapshot_tree(home)
    line = one_line_error(cli(home, "audiences", "learn", "box-a", "--from", str(source)))
    assert "results.csv:2" in line
    assert snapshot_tree(home) == before


def test_an_online_followers_json_nested_too_deeply_is_one_line(
    home: Path, tmp_path: Path
) -> None:
    source = tmp_path / "followers.json"
    source.write_text('{"data": ' + "[" * 100_000 + "]" * 100_000 + "}")
    before = snapshot_tree(home)
    line = one_line_error(cli(home, "audiences", "import", "kosovo", str(source),
                              "--timezone", "Europe/Belgrade", "--now", T0))
    assert "followers.json" in line
    assert snapshot_tree(home) == before


# The last resort


def _broken_handler(args, cli) -> int:
    raise ZeroDivisionError("a fault nobody foresaw\nover two lines")


def test_an_unforeseen_fault_is_one_line_and_exit_70(home: Path, monkeypatch) -> None:
    import publisher.cli.queue

    monkeypatch.setattr(publisher.cli.queue, "run_queue", _broken_handler)
    line = one_line_error(cli(home, "queue"), code=70)
    assert line == ("publisher: error: internal error: ZeroDivisionError: a fault nobody "
                    "foresaw over two lines; please report it, details with -vv")


def test_an_unforeseen_fault_shows_its_traceback_at_vv(home: Path, monkeypatch) -> None:
    import publisher.cli.queue

    monkeypatch.setattr(publisher.cli.queue, "run_queue", _broken_handler)
    result = run_cli("--home", str(home), "-vv", "queue")
    assert result.code == 70
    assert "Traceback" in result.err and "_broken_handler" in result.err
    assert result.err.strip().splitlines()[-1].startswith("publisher: error: internal error:")


# Found by the fuzzers (tests/test_fuzz.py), each kept as a plain regression test


def test_importing_into_a_new_audience_with_an_empty_timezone_is_one_line(
    home: Path, tmp_path: Path
) -> None:
    source = tmp_path / "activity.csv"
    source.write_text("weekday,hour,value\nMon,9,12\n")
    before = snapshot_tree(home)
    line = one_line_error(cli(home, "audiences", "import", "fresh", str(source),
                              "--timezone", "", "--now", T0))
    assert "--timezone" in line
    assert snapshot_tree(home) == before


@pytest.mark.parametrize("command", [
    ("slots", "box-a", "--now", "9999-12-31T23:59:59Z"),
    ("schedule", "news", "--now", "9999-12-30T00:00:00Z"),
    ("flush", "--now", "0001-01-01T00:00:00+14:00"),
    ("pause", "--all", "--now", "0001-01-01T00:00:00+01:00"),
    ("schedule", "news", "--at", "0999-01-01T00:00:00Z", "--now", T0),
])
def test_a_time_at_the_ends_of_the_calendar_is_one_line(
    home: Path, command: tuple[str, ...]
) -> None:
    add_account(home, "box-a", "--platform", "outbox", "--locales", "sq")
    write_draft(home, "news", ["box-a"])
    cli(home, "queue")  # the queue exists (scheduling makes it when it does not)
    before = snapshot_tree(home)
    line = one_line_error(cli(home, *command))
    assert "--now" in line or "--at" in line
    assert snapshot_tree(home) == before


def test_a_po_file_naming_an_unknown_charset_is_one_line(home: Path, tmp_path: Path) -> None:
    source = tmp_path / "en.po"
    source.write_text('msgid ""\nmsgstr ""\n"Language: en\\n"\n'
                      '"Content-Type: text/plain; charset=tf-8\\n"\n\n'
                      'msgctxt "news"\nmsgid "Lajm"\nmsgstr "News"\n')
    before = snapshot_tree(home)
    line = one_line_error(cli(home, "translations", "import", str(source)))
    assert "en.po" in line
    assert snapshot_tree(home) == before


@pytest.mark.parametrize("item", ["-9223372036854775809", "-1", "0"])
@pytest.mark.parametrize("command", ["cancel", "retry"])
def test_an_item_id_below_1_is_one_line(ws: Path, command: str, item: str) -> None:
    before = data_files(ws)
    line = one_line_error(cli(ws, command, item))
    assert item in line
    assert data_files(ws) == before


@pytest.mark.parametrize("argument", ["\x1e", "a\rb", "\x1b[31mred", "a\u2028b", "\u202eevil"])
def test_an_argument_with_control_characters_is_one_printable_line(
    home: Path, argument: str
) -> None:
    for argv in (("accounts", "check", "nobody", argument), ("drafts", "show", argument)):
        result = cli(home, *argv)
        line = one_line_error(result)
        assert result.err.count("\n") == 1 and line.isprintable(), repr(result.err)


def test_an_argument_that_is_not_utf8_is_one_line(home: Path) -> None:
    """A terminal in another encoding hands Python undecodable bytes as surrogates."""
    before = snapshot_tree(home)
    result = run_process("--home", str(home), "blackout", "add", "2026-12-25",
                         "--reason", "caf\udce9")
    line = one_line_error(result)
    assert "UTF-8" in line and "internal error" not in line
    assert snapshot_tree(home) == before


@pytest.mark.parametrize("field", [
    "imitates = []", "handle = 5", "audience = []", "media_url = {}", "platform = 7",
    "max_per_day = inf", "max_lateness = -inf", "min_gap = 1e300",
    "min_gap = 99999999999999999999999", "max_per_day = 100000",
])
def test_a_hand_edited_account_field_of_the_wrong_kind_is_one_line(
    home: Path, field: str
) -> None:
    key = field.split(" =")[0]
    lines = {"platform": '"outbox"', "locales": '["sq"]'}
    lines[key] = field.split("= ", 1)[1]
    (home / "accounts.toml").write_text(
        "[accounts.a]\n" + "".join(f"{k} = {v}\n" for k, v in lines.items()))
    write_draft(home, "news", ["a"])
    cli(home, "queue")  # the queue exists (scheduling makes it when it does not)
    before = snapshot_tree(home)
    for args in (("accounts", "list"), ("schedule", "news", "--now", T0)):
        line = one_line_error(cli(home, *args))
        assert "accounts.toml" in line and (key in line or key.replace("_", "-") in line)
    assert snapshot_tree(home) == before


@pytest.mark.parametrize("export", [
    '{"data": [{"values": null}]}',
    '{"data": [{"values": 5}]}',
    '{"values": [1, 2]}',
    '{"data": [{"values": [{"end_time": "0001-01-01T00:00:00+00:00", "value": {"9": 1}}]}]}',
    '{"data": [{"values": [{"end_time": "9999-12-31T23:00:00-12:00", "value": {"9": 1}}]}]}',
])
def test_an_online_followers_export_of_the_wrong_shape_is_one_line(
    home: Path, tmp_path: Path, export: str
) -> None:
    source = tmp_path / "followers.json"
    source.write_text(export)
    before = snapshot_tree(home)
    line = one_line_error(cli(home, "audiences", "import", "kosovo", str(source),
                              "--timezone", "Europe/Belgrade", "--now", T0))
    assert "followers.json" in line
    assert snapshot_tree(home) == before


@pytest.mark.parametrize("command", [
    ("accounts", "set", "box-a", "--min-gap", "5"),
    ("accounts", "add", "box-z", "--platform", "outbox", "--audience", "other"),
])
def test_an_account_is_not_written_into_a_file_with_a_broken_audience(
    home: Path, command: tuple[str, ...]
) -> None:
    add_account(home, "box-a", "--platform", "outbox", "--locales", "sq")
    path = home / "accounts.toml"
    path.write_text(path.read_text() + '\n[audiences.kosovo]\ntimezone = ""\n')
    before = snapshot_tree(home)
    line = one_line_error(cli(home, *command))
    assert "audiences.kosovo" in line
    assert snapshot_tree(home) == before


@pytest.mark.parametrize("number", ["9" * 5000, "٣" * 5000, "1." + "0" * 5000],
                         ids=["ascii", "arabic-indic", "decimal"])
def test_a_text_with_a_very_long_number_is_checked(home: Path, number: str) -> None:
    add_account(home, "box-a", "--platform", "outbox", "--locales", "sq,en")
    write_draft(home, "news", ["box-a"], text=f"Numri {number}.",
                extra=f'[variants.en]\ntext = "The number {number}."\n')
    result = cli(home, "drafts", "check", "news")
    assert result.code in (0, 1) and "Traceback" not in result.err, result.err
    assert result.err == ""


@pytest.mark.parametrize("moment", ["9999-12-31T23:00:00Z", "0001-01-01T00:00:00+01:00"])
def test_an_engagement_time_at_the_ends_of_the_calendar_is_one_line(
    home: Path, tmp_path: Path, moment: str
) -> None:
    cli(home, "audiences", "add", "kosovo", "--timezone", "Europe/Belgrade")
    add_account(home, "box-a", "--platform", "outbox", "--audience", "kosovo")
    source = tmp_path / "results.csv"
    source.write_text(f"time,engagement\n{moment},12\n")
    before = snapshot_tree(home)
    line = one_line_error(cli(home, "audiences", "learn", "box-a", "--from", str(source)))
    assert "results.csv" in line and moment in line
    assert snapshot_tree(home) == before
