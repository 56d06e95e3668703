"""Remedies as data: no command text below the front ends, and every fix said by both.

What fixes a problem travels as a :class:`Remedy` from wherever the problem is found
(a platform, the queue file, a draft) to the front ends, which each say it their way:
the command line as the command one types, the terminal UI as its key, or the command
where it has no action.
"""

from __future__ import annotations

import argparse
import ast
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from publisher.cli import build_parser
from publisher.cli import remedies as cli_remedies
from publisher.commands import command
from publisher.domain.errors import UserError
from publisher.domain.queue import State
from publisher.domain.remedies import Fix, Remedy, WithRemedy, remedy_of
from publisher.i18n import set_language
from publisher.storage.queue import MIGRATIONS, SCHEMA_VERSION, NewItem, Queue

ROOT = Path(__file__).parent.parent / "publisher"
BELOW_THE_FRONT_ENDS = ("domain", "services", "storage", "platforms")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

# Texts below the front ends that may name a command: what the tool writes into a file
# for the people who read that file (no failure, no remedy), each with why.
WRITTEN_INTO_FILES = {
    ("storage/workspace.py", "('publisher accounts login ID')"):
        "the header comment of a new accounts.toml, for the person editing it",
    ("storage/workspace.py", "made by 'publisher demo'"):
        "the demo workspace's marker file",
    ("services/translations.py", "then: publisher translations import FILE.po"):
        "the header comment of an exported PO file, for translators",
    ("services/translations.py", "publisher drafts"):
        "the PO file's Project-Id-Version (a name, not a command)",
}


def _vocabulary() -> tuple[set[str], set[str], set[str]]:
    """The CLI's commands, its sub-commands (``group sub``) and its options, read from
    its parser: a command added later is checked too."""
    commands: set[str] = set()
    pairs: set[str] = set()
    options: set[str] = set()

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:
            options.update(s for s in action.option_strings if s.startswith("--"))
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    if prefix:
                        pairs.add(f"{prefix} {name}")
                    else:
                        commands.add(name)
                    walk(sub, name)

    walk(build_parser(), "")
    return commands, pairs, options - {"--help"}


def command_text_pattern() -> re.Pattern[str]:
    commands, pairs, options = _vocabulary()
    words = "|".join(sorted(map(re.escape, commands), key=len, reverse=True))
    subs = "|".join(sorted(map(re.escape, pairs), key=len, reverse=True))
    flags = "|".join(sorted(map(re.escape, options), key=len, reverse=True))
    return re.compile(rf"\bpublisher (?:{words})\b|(?<![\w-])(?:{subs})(?![\w-])"
                      rf"|(?<![\w-])(?:{flags})(?![\w-])")


def command_texts(source: str, pattern: re.Pattern[str]) -> list[tuple[int, str]]:
    """(line, text) of every string constant (f-string parts included) that names a
    command or an option; docstrings and comments are free to."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings and pattern.search(node.value)]


def test_the_check_finds_command_text_and_leaves_docstrings_alone() -> None:
    pattern = command_text_pattern()
    source = '''
def f(account_id):
    """Run ``publisher resume --account ID`` after this."""
    # publisher accounts login ID
    raise AuthFailed(f"expired; log in again (publisher accounts login {account_id})")

HINTS = ["pass --allow-stale", "see 'accounts set-secret'", "the minimum gap", "--again"]
'''
    found = command_texts(source, pattern)
    assert sorted(text for _line, text in found) == [
        "--again", "expired; log in again (publisher accounts login ", "pass --allow-stale",
        "see 'accounts set-secret'"]
    assert command_texts('X = "the publisher takes at most 63,206 characters"', pattern) == []


def test_no_command_text_below_the_front_ends() -> None:
    pattern = command_text_pattern()
    found = []
    for layer in BELOW_THE_FRONT_ENDS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            where = path.relative_to(ROOT).as_posix()
            for line, text in command_texts(path.read_text(encoding="utf-8"), pattern):
                if not any(file == where and snippet in text
                           for file, snippet in WRITTEN_INTO_FILES):
                    found.append(f"{where}:{line}: {text!r}")
    assert found == [], "say it with a Remedy (publisher.domain.remedies):\n" + "\n".join(found)


# Every fix, rendered by both front ends

SAMPLES = {
    Fix.LOG_IN: Remedy(Fix.LOG_IN, account="mfa-x"),
    Fix.STORE_SECRET: Remedy(Fix.STORE_SECRET, account="mfa-x"),
    Fix.LOG_IN_AND_RESUME: Remedy(Fix.LOG_IN_AND_RESUME, account="mfa-x"),
    Fix.RESUME_ACCOUNT: Remedy(Fix.RESUME_ACCOUNT, account="mfa-x"),
    Fix.RESUME_ALL: Remedy(Fix.RESUME_ALL),
    Fix.SET_ACCOUNT: Remedy(Fix.SET_ACCOUNT, account="ig", setting="media_url", value="URL"),
    Fix.ADD_ACCOUNT: Remedy(Fix.ADD_ACCOUNT),
    Fix.ADD_AUDIENCE: Remedy(Fix.ADD_AUDIENCE),
    Fix.IMPORT_AUDIENCE: Remedy(Fix.IMPORT_AUDIENCE, audience="diaspora-de"),
    Fix.APPROVE_DRAFT: Remedy(Fix.APPROVE_DRAFT, draft="flag-day"),
    Fix.SCHEDULE_AT: Remedy(Fix.SCHEDULE_AT, draft="flag-day"),
    Fix.SCHEDULE_AGAIN: Remedy(Fix.SCHEDULE_AGAIN, draft="flag-day"),
    Fix.ALLOW_STALE: Remedy(Fix.ALLOW_STALE, draft="flag-day"),
    Fix.RETRY_OR_CANCEL: Remedy(Fix.RETRY_OR_CANCEL, item=7),
    Fix.RESOLVE_UNKNOWN: Remedy(Fix.RESOLVE_UNKNOWN, item=7),
    Fix.SHOW_QUEUE: Remedy(Fix.SHOW_QUEUE),
    Fix.LIST_DRAFTS: Remedy(Fix.LIST_DRAFTS),
    Fix.RESTORE_QUEUE: Remedy(Fix.RESTORE_QUEUE),
    Fix.INIT_WORKSPACE: Remedy(Fix.INIT_WORKSPACE, home="/srv/publisher"),
    Fix.EXPORT_TRANSLATIONS: Remedy(Fix.EXPORT_TRANSLATIONS, locale="en"),
}
# What the command line says for each (commands are never translated).
COMMANDS = {
    Fix.LOG_IN: "publisher accounts login mfa-x",
    Fix.STORE_SECRET: "publisher accounts set-secret mfa-x",
    Fix.LOG_IN_AND_RESUME: "publisher accounts login mfa-x && publisher resume --account mfa-x",
    Fix.RESUME_ACCOUNT: "publisher resume --account mfa-x",
    Fix.RESUME_ALL: "publisher resume --all",
    Fix.SET_ACCOUNT: "publisher accounts set ig --media-url URL",
    Fix.ADD_ACCOUNT: "publisher accounts add",
    Fix.ADD_AUDIENCE: "publisher audiences add",
    Fix.IMPORT_AUDIENCE: "publisher audiences import diaspora-de FILE",
    Fix.APPROVE_DRAFT: "publisher drafts approve flag-day",
    Fix.SCHEDULE_AT: "publisher schedule flag-day --at RFC3339",
    Fix.SCHEDULE_AGAIN: "publisher schedule flag-day --again",
    Fix.ALLOW_STALE: "publisher schedule flag-day --at RFC3339 --allow-stale",
    Fix.RETRY_OR_CANCEL: "publisher retry 7",
    Fix.RESOLVE_UNKNOWN: "publisher resolve 7 --posted URL",
    Fix.SHOW_QUEUE: "publisher queue",
    Fix.LIST_DRAFTS: "publisher drafts list",
    Fix.RESTORE_QUEUE: "publisher queue reset --yes",
    Fix.INIT_WORKSPACE: "publisher init /srv/publisher",
    Fix.EXPORT_TRANSLATIONS: "publisher translations export --locale en --out FILE.po",
}
# Where the terminal UI has an action of its own, its key (else: the command).
TUI_KEYS = {
    Fix.RESUME_ALL: ["F10"],
    Fix.APPROVE_DRAFT: ["F7", "F2"],
    Fix.SCHEDULE_AT: ["ctrl+t"],
    Fix.ALLOW_STALE: ["F4"],
    Fix.RETRY_OR_CANCEL: ["ctrl+r", "F8", "F3"],
    Fix.SHOW_QUEUE: ["F3"],
    Fix.LIST_DRAFTS: ["F2"],
    Fix.EXPORT_TRANSLATIONS: ["F6", "F4"],
}


@pytest.fixture(params=["en", "sq"])
def language(request: pytest.FixtureRequest):
    set_language(request.param)
    yield request.param
    set_language("en")


def test_every_fix_has_a_sample() -> None:
    assert set(SAMPLES) == set(Fix) == set(COMMANDS)


@pytest.mark.parametrize("fix", list(Fix))
def test_the_cli_says_every_fix_as_a_command(fix: Fix, language: str) -> None:
    remedy = SAMPLES[fix]
    assert command(remedy) == COMMANDS[fix]
    said = cli_remedies.advice(remedy)
    assert COMMANDS[fix].split(" && ")[0] in said.replace("'", "")
    error = UserError("something is wrong", where="here", remedy=remedy)
    assert cli_remedies.describe(error) == f"here: something is wrong ({said})"


@pytest.mark.parametrize("fix", list(Fix))
def test_the_tui_says_every_fix_by_its_key_or_the_command(fix: Fix, language: str) -> None:
    from publisher.tui import remedies as tui_remedies

    said = tui_remedies.action(SAMPLES[fix])
    if fix in TUI_KEYS:
        assert all(key in said for key in TUI_KEYS[fix]), said
    else:  # no action in the interface: the command to type in a terminal
        assert said.endswith(COMMANDS[fix])
    error = UserError("something is wrong", hint="a hint", remedy=SAMPLES[fix])
    assert tui_remedies.describe(error) == f"something is wrong (a hint; {said})"


def test_the_tui_keys_follow_its_bindings() -> None:
    from publisher.tui.app import PublisherApp
    from publisher.tui.remedies import key

    freeze = next(b for b in PublisherApp.BINDINGS if getattr(b, "id", "") == "app.freeze")
    assert key("app.freeze") == freeze.key.upper() == "F10"
    assert key("queue.retry") == "ctrl+r"
    with pytest.raises(KeyError):
        key("no.such.binding")


def test_a_user_error_keeps_its_remedy_out_of_its_text() -> None:
    error = UserError("no queue item 9", remedy=SAMPLES[Fix.SHOW_QUEUE])
    assert str(error) == "no queue item 9"
    assert cli_remedies.describe(error) == "no queue item 9 (see 'publisher queue')"


def test_a_login_option_is_added_to_the_login_command() -> None:
    remedy = Remedy(Fix.LOG_IN, account="dc-threads", setting="paste")
    assert command(remedy) == "publisher accounts login dc-threads --paste"
    assert cli_remedies.advice(remedy) == (
        "or log in with 'publisher accounts login dc-threads --paste'")


def test_a_remedy_names_what_it_needs_and_only_known_settings() -> None:
    with pytest.raises(ValueError, match="needs account"):
        Remedy(Fix.LOG_IN)
    with pytest.raises(ValueError, match="cannot name the setting"):
        Remedy(Fix.SET_ACCOUNT, account="a", setting="password", value="x")
    with pytest.raises(ValueError, match="cannot name the setting"):
        Remedy(Fix.LOG_IN, account="a", setting="media_url")


def test_a_text_may_carry_its_remedy_and_stays_a_text() -> None:
    problem = WithRemedy("th has no media URL", SAMPLES[Fix.SET_ACCOUNT])
    assert problem == "th has no media URL" and f"{problem}!" == "th has no media URL!"
    assert remedy_of(problem) == SAMPLES[Fix.SET_ACCOUNT]
    assert remedy_of("plain") is None
    assert cli_remedies.with_its_advice(problem) == (
        "th has no media URL (set it with 'publisher accounts set ig --media-url URL')")


# In the queue: beside an item's last error


@pytest.mark.parametrize("fix", list(Fix))
def test_the_queue_keeps_a_remedy_as_json(fix: Fix) -> None:
    assert Remedy.from_json(SAMPLES[fix].to_json()) == SAMPLES[fix]


@pytest.mark.parametrize("text", [None, "", "not json", "[]", '{"fix": "fly-away"}',
                                  '{"fix": "log-in"}', '{"fix": "resume-all", "colour": 1}'])
def test_a_remedy_this_version_cannot_read_is_none(text: str | None) -> None:
    assert Remedy.from_json(text) is None


def new_item(key: str = "k1") -> NewItem:
    return NewItem("news", "ig", "instagram", ("sq",), "Lajm", "hash", NOW, key)


def test_a_failed_item_keeps_its_remedy_until_its_error_is_cleared(tmp_path: Path) -> None:
    remedy = SAMPLES[Fix.SET_ACCOUNT]
    with Queue(tmp_path / "queue.sqlite3") as queue:
        (item_id,) = queue.add([new_item()], now=NOW, actor="test")
        queue.move(item_id, State.QUEUED, State.FAILED, now=NOW, actor="test",
                   last_error="ig has no media URL", remedy=remedy)
        assert queue.get(item_id).remedy == remedy
        reasons = [row.reason for row in queue.history(item_id)]
        queue.move(item_id, State.FAILED, State.QUEUED, now=NOW, actor="test",
                   last_error=None, remedy=None)
        assert queue.get(item_id).remedy is None
    assert not any("publisher" in reason for reason in reasons)


def test_a_version_2_queue_gains_the_column_and_keeps_its_old_errors(tmp_path: Path) -> None:
    """Rows written before remedies keep their words (commands and all) and no remedy."""
    path = tmp_path / "queue.sqlite3"
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:2]:
        db.executescript(script)
    db.execute("PRAGMA user_version = 2")
    old_error = ("auth: token revoked; fix it with 'publisher accounts login ig' (or "
                 "'set-secret'), then 'publisher resume --account ig'")
    db.execute(
        "INSERT INTO items (draft_id, account_id, platform, locales, text, content_hash,"
        " due_at, state, held_by, idempotency_key, last_error, created_at, updated_at)"
        " VALUES ('news', 'ig', 'instagram', '[\"sq\"]', 'Lajm', 'h',"
        " '2026-12-01T08:00:00.000000Z', 'held', 'auth', 'k0', ?,"
        " '2026-12-01T08:00:00.000000Z', '2026-12-01T08:00:00.000000Z')", (old_error,))
    db.commit()
    db.close()
    with Queue(path) as queue:
        assert queue.schema_version == SCHEMA_VERSION
        (item,) = queue.items()
        assert item.last_error == old_error and item.remedy is None
        (item_id,) = queue.add([new_item("k1")], now=NOW, actor="test")
        assert queue.get(item_id).remedy is None
