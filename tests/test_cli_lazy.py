"""A run loads only its own command: the parse is the same, the imports are fewer.

The cron job's ``publisher flush`` runs every minute; importing every command
module, every adapter and the HTTP stack when nothing is due cost it twice the
time it needs (bench/empty_flush.py measures it). These tests pin down that the
lazy parser answers exactly as the whole one does, and what an empty flush loads.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from hypothesis import given
from hypothesis import strategies as st
from queue_helpers import add_account, schedule, write_draft

from publisher.cli import COMMAND_MODULES, build_parser


def test_the_table_names_the_commands_each_module_registers() -> None:
    for module, names in COMMAND_MODULES:
        commands = argparse.ArgumentParser().add_subparsers()
        import_module(f"publisher.cli.{module}").register(commands)
        assert tuple(commands.choices) == names, module


def _outcome(parser: argparse.ArgumentParser, argv: list[str]) -> tuple:
    """What a parse gives: the values, or the exit code and what was printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            return ("parsed", vars(parser.parse_args(argv)))
        except SystemExit as done:
            return ("exit", done.code, out.getvalue(), err.getvalue())


COMMAND_NAMES = [name for _module, names in COMMAND_MODULES for name in names]
GLOBAL_WORDS = st.sampled_from([
    "--home", "--home=ws", "--ho", "ws", "--lang", "--lang=sq", "--la", "sq", "xx", "-v",
    "-vv", "--verbose", "--version", "--v", "-h", "--help", "--", "-",
])
WORDS = st.sampled_from([
    *COMMAND_NAMES, "reset", "list", "add", "show", "status", "flsh", "--home", "ws", "-v",
    "-h", "--help", "--he", "--", "-", "--now", "2026-12-01T09:00:00Z", "--json", "--all",
    "--account", "--state", "queued", "1", "news", "--time-limit", "30",
]) | st.text(max_size=6)


@pytest.mark.parametrize("command", COMMAND_NAMES)
@pytest.mark.parametrize("words", [[], ["--help"], ["--json", "news"], ["list", "--json"]])
def test_each_command_parses_as_in_the_whole_parser(command: str, words: list[str]) -> None:
    argv = ["--home", "ws", command, *words]
    assert _outcome(build_parser(argv), argv) == _outcome(build_parser(), argv)


@given(before=st.lists(GLOBAL_WORDS, max_size=3),
       command=st.sampled_from(COMMAND_NAMES) | WORDS, after=st.lists(WORDS, max_size=4))
def test_a_run_parses_its_arguments_as_the_whole_parser_does(
    before: list[str], command: str, after: list[str],
) -> None:
    argv = [*before, command, *after]
    assert _outcome(build_parser(argv), argv) == _outcome(build_parser(), argv)


def test_help_lists_every_command_with_its_text() -> None:
    code, out, _err = _outcome(build_parser(["--help"]), ["--help"])[1:]
    assert code == 0
    for name in COMMAND_NAMES:
        assert f"    {name} " in out or f"    {name}\n" in out


def _empty_flush(home: Path) -> tuple[int, list[str], list[str]]:
    """Run an empty flush in a child process: its exit code, the modules it loaded
    and the files it opened (seen by an audit hook, nothing patched)."""
    code = (
        "import json, runpy, sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: opened.append(str(args[0]))"
        " if event == 'open' else None)\n"
        f"sys.argv = ['publisher', '--home', {str(home)!r}, 'flush',"
        " '--now', '2026-12-01T09:00:00+01:00']\n"
        "try:\n"
        "    runpy.run_module('publisher', run_name='__main__')\n"
        "except SystemExit as done:\n"
        "    print(json.dumps([done.code, sorted(sys.modules), opened]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    exit_code, modules, opened = json.loads(done.stdout)
    return exit_code, modules, opened


def test_an_empty_flush_loads_neither_other_commands_nor_adapters_nor_http(home: Path) -> None:
    add_account(home, "box-a", "--platform", "outbox", "--locales", "sq")
    add_account(home, "dc-mastodon", "--platform", "mastodon", "--api-base",
                "https://mastodon.example", "--locales", "sq")
    write_draft(home, "news", ["box-a"])
    write_draft(home, "idle", ["dc-mastodon"])
    schedule(home, "news", at="2026-12-08T09:00:00+01:00")
    exit_code, modules, _opened = _empty_flush(home)
    assert exit_code == 0
    other_commands = {f"publisher.cli.{m}" for m, _names in COMMAND_MODULES} - {
        "publisher.cli.queue"}
    assert not other_commands & set(modules)
    adapters = {m for m in modules if m.startswith("publisher.platforms.")} - {
        "publisher.platforms.base", "publisher.platforms.registry",
        "publisher.platforms.common", "publisher.platforms.common.token_records",
        "publisher.platforms.common.progress",  # a dataclass and a log line, for uploads
        "publisher.platforms.outbox", "publisher.platforms.outbox.adapter"}
    assert adapters == set()  # the outbox's waiting item asks only its own adapter
    # X's counter builds its TLD table and patterns on import (about 18 ms): only for X.
    heavy = {"requests", "urllib3", "keyring", "textual", "babel", "publisher.tui",
             "publisher.domain.x_text"}
    assert not heavy & {m.split(".")[0] for m in modules} | heavy & set(modules)


def test_a_flush_that_says_nothing_reads_no_catalog(home: Path) -> None:
    """The interface's language is the workspace's (Albanian here): its catalog is read
    when a text is first asked for, and a quiet cron minute asks for none."""
    settings = home / "publisher.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'ui_locale = "en"', 'ui_locale = "sq"'), encoding="utf-8")
    add_account(home, "box-a", "--platform", "outbox", "--locales", "sq")
    write_draft(home, "news", ["box-a"])
    schedule(home, "news", at="2026-12-08T09:00:00+01:00")
    exit_code, _modules, opened = _empty_flush(home)
    assert exit_code == 0
    assert not [path for path in opened if path.endswith(".mo")]
    said = run_cli("--home", str(home), "-v", "flush", "--now", "2026-12-08T09:00:00+01:00")
    assert said.code == 0, said.err
    assert said.out.startswith("artikulli ") and "dërguar: u publikua" in said.out
