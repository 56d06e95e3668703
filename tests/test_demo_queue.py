"""The demo shows something in every view: a queue with sent, failed and queued posts,
made the normal way with the demo's clock; and a person who lost it is told where it is."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import DEMO_NOW, run_cli, run_process


def queue_rows(home: Path) -> list[tuple]:
    result = run_cli("--home", str(home), "queue", "--json")
    assert result.code == 0, result.err
    return [(row["draft"], row["account"], tuple(row["locales"]), row["state"],
             row["due_utc"]) for row in json.loads(result.out)]


def test_the_demo_queue_holds_sent_failed_and_queued_posts(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    result = run_cli("--home", str(home), "demo", "--now", DEMO_NOW)
    assert result.code == 0, result.err
    every = rows = queue_rows(home)
    # The results' sample posts (test_demo_results) aside.
    samples = [row for row in rows if row[0].startswith("sample-results-")]
    assert samples and {row[3] for row in samples} == {"sent"}
    rows = [row for row in rows if row not in samples]
    states = [state for _draft, _account, _locales, state, _due in rows]
    # The consular alert is a thread of two (joined on Facebook); telegram refuses its
    # first parts and the replies stop with them. Flag Day has a first comment.
    assert states.count("sent") == 9 and states.count("failed") == 4
    assert states.count("queued") == 8
    assert {account for _d, account, _l, state, _due in rows if state == "failed"} == {
        "mfa-telegram"}
    assert len(list((home / "outbox").rglob("*.json"))) == 9
    # The same --now makes the same queue.
    again = tmp_path / "again"
    assert run_cli("--home", str(again), "demo", "--now", DEMO_NOW).code == 0
    assert queue_rows(again) == every


def test_a_failed_demo_post_goes_out_when_retried(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    assert run_cli("--home", str(home), "demo", "--now", DEMO_NOW).code == 0
    listing = json.loads(run_cli("--home", str(home), "queue", "--state", "failed",
                                 "--json").out)
    item = listing[0]["id"]
    assert "refused this post on purpose" in listing[0]["error"]
    assert run_cli("--home", str(home), "retry", str(item), "--now", DEMO_NOW).code == 0
    flush = run_cli("--home", str(home), "flush", "--now", DEMO_NOW)
    assert flush.code == 0, flush.err + flush.out
    (row,) = [r for r in json.loads(run_cli("--home", str(home), "queue", "--json").out)
              if r["id"] == item]
    assert row["state"] == "sent"


def test_an_empty_queue_on_request(demo: Path) -> None:
    assert queue_rows(demo) == []


def test_demo_prints_its_folder(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    result = run_cli("--home", str(home), "demo", "--now", DEMO_NOW, "--empty-queue")
    assert result.out.splitlines()[0] == f"Demo workspace made at {home}"


def test_no_workspace_here_names_the_demo_folder(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    made = run_process("demo", "--now", DEMO_NOW, "--empty-queue", env=env)
    assert made.code == 0, made.err
    (demo,) = (tmp_path / "data" / "publisher-demo").iterdir()
    assert f"Demo workspace made at {demo}" in made.out
    missing = tmp_path / "nowhere"
    result = run_process("--home", str(missing), "drafts", "list", env=env)
    assert result.code == 2
    assert result.err.startswith(f"publisher: error: {missing}: no workspace here")
    assert f"the demo's workspace is {demo}" in result.err
    assert len(result.err.splitlines()) == 1


def test_no_workspace_here_without_a_demo_says_nothing_of_one(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    result = run_process("--home", str(tmp_path / "nowhere"), "drafts", "list", env=env)
    assert result.code == 2 and "demo" not in result.err
