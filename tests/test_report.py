"""``publisher report``: per post, account, language, account and language, and the
realised week beside the profile, on known numbers written to a real queue file; the
demo's sample results; one-line errors for a bad --since or --account."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from conftest import DEMO_NOW, run_cli
from hypothesis import given
from hypothesis import strategies as st
from queue_helpers import add_account, cli

from publisher.domain.queue import State
from publisher.domain.results import Engagement
from publisher.services.context import open_context
from publisher.services.metrics import observations
from publisher.services.queue_file import open_queue
from publisher.services.report import build_report
from publisher.services.scheduling import activity_grid
from publisher.storage.queue import NewItem, Reading

MONDAY_9 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # 09:00 in Belgrade


def sent(home: Path, account: str, locale: str, when: datetime, *, campaign: str | None,
         counts: dict[str, int]) -> int:
    """A post sent at ``when`` with readings (age -> interactions, all as likes)."""
    with open_queue(open_context(home)) as queue:
        key = f"k-{account}-{locale}-{when.isoformat()}"
        (item,) = queue.add([NewItem("d-" + locale, account, "outbox", tuple(locale.split("+")),
                                     "t", "h", when, key)], now=when, actor="test")
        queue.move(item, State.QUEUED, State.SENDING, now=when, actor="test")
        queue.move(item, State.SENDING, State.SENT, now=when, actor="test", remote_id=key,
                   url=f"https://example.test/{item}")
        for age, likes in counts.items():
            hours = {"1h": 1, "24h": 24, "7d": 168}[age]
            queue.add_reading(Reading(item, account, locale, "d-" + locale, campaign, when,
                                      age, when + timedelta(hours=hours),
                                      Engagement(likes=likes, reposts=0)))
    return item


def _workspace(home: Path) -> Path:
    run_cli("--home", str(home), "audiences", "add", "kosovo", "--timezone", "Europe/Belgrade",
            "--window", "MO-FR 08:00-10:00 0.9")
    add_account(home, "x", "--platform", "outbox", "--locales", "sq,en", "--audience", "kosovo")
    add_account(home, "bsky", "--platform", "outbox", "--locales", "sq,en")
    sent(home, "x", "sq", MONDAY_9, campaign="DigitalKosovo", counts={"1h": 2, "24h": 10,
                                                                      "7d": 14})
    sent(home, "x", "en", MONDAY_9 + timedelta(days=7), campaign="DigitalKosovo",
         counts={"1h": 1, "24h": 20})
    sent(home, "x", "sq", MONDAY_9 + timedelta(days=7, hours=10), campaign=None,
         counts={"1h": 6})  # younger than 24 h: its 1 h reading
    sent(home, "bsky", "sq", MONDAY_9 + timedelta(days=1), campaign="KosovoInUN",
         counts={"24h": 30})
    sent(home, "bsky", "en", MONDAY_9 + timedelta(days=2), campaign="KosovoInUN",
         counts={"7d": 50})  # only a 7 d reading: no number to compare
    return home


def test_the_report_adds_up_known_numbers(home: Path) -> None:
    report = build_report(open_context(_workspace(home)))
    assert [(p.account_id, p.locale, p.interactions, p.latest_age) for p in report.posts] == [
        ("x", "sq", 10.0, "7d"), ("bsky", "sq", 30.0, "24h"), ("bsky", "en", None, "7d"),
        ("x", "en", 20.0, "24h"), ("x", "sq", 6.0, "1h")]
    assert report.posts[0].latest == Engagement(likes=14, reposts=0)
    assert [(s.account_id, s.posts, s.mean_interactions) for s in report.by_account] == [
        ("bsky", 1, 30.0), ("x", 3, 12.0)]
    assert [(s.locale, s.posts, s.mean_interactions) for s in report.by_locale] == [
        ("en", 1, 20.0), ("sq", 3, 15.33)]
    assert [(s.account_id, s.locale, s.posts, s.mean_interactions)
            for s in report.by_account_locale] == [
        ("bsky", "en", 0, None), ("bsky", "sq", 1, 30.0), ("x", "en", 1, 20.0),
        ("x", "sq", 2, 8.0)]
    week = next(w for w in report.weeks if w.account_id == "x")
    assert (week.audience, week.timezone) == ("kosovo", "Europe/Belgrade")
    assert week.posts[0][9] == 2 and week.mean_interactions[0][9] == 15.0  # Mon 09:00
    assert week.posts[0][19] == 1 and week.mean_interactions[0][19] == 6.0
    # Beside the profile scheduling places by: the prior (0.9 at Mon 09:00) as these
    # results moved it.
    assert week.profile == activity_grid(open_context(home), "x").values
    assert week.profile is not None and week.profile[0][9] != 0.9
    narrowed = build_report(open_context(home), account="x", campaign="digitalkosovo",
                            since=date(2026, 11, 9))
    assert [(p.account_id, p.locale) for p in narrowed.posts] == [("x", "en")]
    # Learning reads the same numbers, oldest first.
    assert [o.value for o in observations(open_context(home), "x")] == [10.0, 20.0, 6.0]


def test_the_report_command_prints_tables_and_json(home: Path) -> None:
    _workspace(home)
    table = cli(home, "report")
    assert table.code == 0, table.err
    assert "By account and language" in table.out and "x: best hours so far" in table.out
    assert "https://example.test/1" in table.out
    data = json.loads(cli(home, "report", "--account", "bsky", "--json").out)
    assert set(data) == {"filter", "reference_age", "posts", "by_account", "by_locale",
                         "by_account_locale", "weeks"}
    assert data["by_account"] == [{"account": "bsky", "posts": 1, "mean_interactions": 30.0}]
    assert data["posts"][0]["latest"] == {"likes": 30, "reposts": 0, "replies": None,
                                          "quotes": None, "impressions": None, "clicks": None}
    (week,) = data["weeks"]
    assert len(week["posts"]) == 7 and len(week["mean_interactions"][0]) == 24
    empty = cli(home, "report", "--campaign", "none-such")
    assert empty.code == 0 and "No results yet" in empty.out


def test_bad_since_and_account_are_one_line_and_exit_2(home: Path) -> None:
    for args, words in ((["--since", "2026-02-30"], "is not a date"),
                        (["--since", "yesterday"], "is not a date"),
                        (["--account", "nobody"], "unknown account 'nobody'")):
        result = cli(home, "report", *args)
        assert result.code == 2 and result.out == ""
        (line,) = result.err.splitlines()
        assert line.startswith("publisher: error: ") and words in line


@given(st.text(max_size=12) | st.dates().map(date.isoformat))
def test_since_takes_a_day_or_says_no_in_one_line(text: str) -> None:
    from publisher.cli.common import calendar_day

    try:
        day = calendar_day(text)
    except Exception as error:  # only argparse's kind may come out
        import argparse

        assert isinstance(error, argparse.ArgumentTypeError)
        assert "\n" not in str(error)
    else:
        assert isinstance(day, date)


def test_the_demo_shows_sample_results(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    assert run_cli("--home", str(home), "demo", "--now", DEMO_NOW).code == 0
    data = json.loads(cli(home, "report", "--json").out)
    assert len(data["posts"]) > 30
    assert all(p["draft"].startswith("sample-results-") for p in data["posts"])
    assert {s["account"] for s in data["by_account"]} == {
        "mfa-x", "mfa-facebook", "embassy-dc-mastodon", "embassy-berlin-bluesky"}
    assert all(p["sent_at"] < "2026-11-27" for p in data["posts"])
    again = tmp_path / "again"
    assert run_cli("--home", str(again), "demo", "--now", DEMO_NOW).code == 0
    assert json.loads(cli(again, "report", "--json").out) == data  # seeded
    assert json.loads(cli(home, "metrics", "collect", "--now", DEMO_NOW, "--json").out)[
        "readings"] == []  # the outbox is not measured: the samples stay as made
