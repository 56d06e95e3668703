"""Holding statements (crisis templates): the placeholder and --set parsers, filling a
whole draft, and ``publisher crisis use | list`` on the demo's two statements, with
fixed clocks, real queue files and a real flush through the outbox."""

from __future__ import annotations

import json
import re
import sqlite3
import tomllib
from datetime import datetime
from pathlib import Path

import pytest
from conftest import run_cli, snapshot_tree
from hypothesis import given
from hypothesis import strategies as st

from publisher.domain.drafts import AccountText, Draft, Media, TranslationState, Variant
from publisher.domain.errors import UserError
from publisher.domain.templates import (
    Assignment,
    Placeholder,
    collect_values,
    draft_placeholders,
    escape,
    fill,
    fill_draft,
    parse_assignment,
    parse_template,
    placeholders,
)
from publisher.services.context import open_context
from publisher.services.templates import use_template

CONSULAR = "holding-consular-emergency"
CONDOLENCES = "holding-condolences"
NOW = "2026-11-27T10:00:00+01:00"
CONSULAR_VALUES = ["--set", "place=Skopje", "--set", "place.sr=Скопљу",
                   "--set", "hotline=+383 38 213 444", "--set", "time=18:00"]
CONDOLENCE_VALUES = ["--set", "event=the floods in the region", "--set",
                     "event.sq=vërshimet në rajon", "--set", "event.sr=поплавама у региону",
                     "--set", "date=26 November", "--set", "date.sq=26 nëntor",
                     "--set", "date.sr=26. новембра"]
NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)


def cli(home: Path, *args: str):
    return run_cli("--home", str(home), *args)


# The placeholder parser


@given(st.text())
def test_any_text_is_parsed_or_refused_in_one_user_error(text: str) -> None:
    try:
        pieces = parse_template(text)
    except UserError as error:
        assert "{" in text and "\n" not in error.message
        return
    assert all(isinstance(p, (str, Placeholder)) and p != "" for p in pieces)


@given(st.text())
def test_an_escaped_text_is_its_own_literal(text: str) -> None:
    assert parse_template(escape(text)) == ((text,) if text else ())
    assert fill(escape(text), {}).text == text


@given(st.lists(st.tuples(st.text(), NAMES), max_size=5), st.text(),
       st.dictionaries(NAMES, st.text(), max_size=4))
def test_filling_replaces_each_placeholder_with_its_value_or_leaves_it(
        pieces: list[tuple[str, str]], tail: str, values: dict[str, str]) -> None:
    template = "".join(escape(literal) + "{" + name + "}" for literal, name in pieces)
    template += escape(tail)
    filled = fill(template, values)
    expected = "".join(literal + values.get(name, "{" + name + "}")
                       for literal, name in pieces) + tail
    assert filled.text == expected
    assert set(filled.left) == {name for _l, name in pieces if name not in values}
    assert placeholders(template) == tuple(dict.fromkeys(name for _l, name in pieces))


@pytest.mark.parametrize("text", ["{Place}", "{place", "a { b", "{1st}", "{pla ce}", "{}",
                                  "{{{X}"])
def test_a_brace_that_opens_no_placeholder_is_refused(text: str) -> None:
    with pytest.raises(UserError, match="opens no placeholder"):
        parse_template(text, where="drafts/t.toml: variants.en.text")


def test_doubled_braces_and_a_lone_closing_one_stay_in_the_text() -> None:
    assert fill("{{place}} is {place} :} }}", {"place": "Peja"}).text == "{place} is Peja :} }"


# The --set parser


@given(st.text())
def test_any_set_value_is_parsed_or_refused_in_one_user_error(text: str) -> None:
    try:
        assignment = parse_assignment(text)
    except UserError as error:
        assert "\n" not in error.message
        return
    assert assignment.value and assignment.value == assignment.value.strip()
    assert text.startswith(assignment.name)


@given(NAMES, st.sampled_from([None, "sq", "en", "sr", "sr-Latn"]),
       st.text(min_size=1).filter(lambda v: v.strip() and v.isprintable()))
def test_a_set_value_round_trips(name: str, locale: str | None, value: str) -> None:
    key = f"{name}.{locale}" if locale else name
    parsed = parse_assignment(f"{key}={value}")
    assert (parsed.name, parsed.locale) == (name, locale)
    assert parsed.value == parsed.value.strip() and parsed.value


@pytest.mark.parametrize("text, problem", [
    ("place", "is not NAME=VALUE"), ("Place=x", "not a placeholder name"),
    ("place.de=x", "not a locale"), ("place=  ", "empty"), ("place=a\x1bb", "control"),
    ("=x", "not a placeholder name"),
])
def test_bad_set_values_are_refused(text: str, problem: str) -> None:
    with pytest.raises(UserError, match=problem):
        parse_assignment(text)


def test_a_value_may_hold_equals_signs_and_braces() -> None:
    assert parse_assignment("link.sr-latn=a=b {c}") == Assignment("link", "sr-Latn", "a=b {c}")


def test_a_name_given_twice_is_refused_but_one_per_locale_is_not() -> None:
    values = collect_values(["place=Skopje", "place.sr=Скопљу"])
    assert values.for_locale("en") == {"place": "Skopje"}
    assert values.for_locale("sr") == {"place": "Скопљу"}
    assert values.for_locale("sr-Latn") == {"place": "Skoplju"}  # from sr, as everywhere
    with pytest.raises(UserError, match="given twice"):
        collect_values(["place=a", "place=b"])


def test_serbian_latin_takes_its_own_value_first() -> None:
    values = collect_values(["place=X", "place.sr=Скопљу", "place.sr-Latn=Skoplju!"])
    assert values.for_locale("sr-Latn") == {"place": "Skoplju!"}


# A whole draft


def _template(**changes) -> Draft:
    source = Variant("sq", "Në {place}: {hotline}", thread=("Pjesa {n}",),
                     first_comment="Koment {place}", content_warning="CW {place}",
                     accounts={"x": AccountText("x", "Vetëm X {place}",
                                                thread=("X {n}",), first_comment="c {n}")})
    origin = source.fingerprint
    en = Variant("en", "In {place}: {hotline}", origin, thread=("Part {n}",),
                 first_comment="Comment {place}", content_warning="CW {place}",
                 accounts={"x": AccountText("x", "X only {place}", ("X {n}",), "c {n}",
                                            from_source=source.accounts["x"].fingerprint)})
    sr = Variant("sr", "У {place}: {hotline}", "00000000", thread=("Део {n}",))  # stale
    draft = Draft("t", "sq", accounts=("x",), approved=True, template=True,
                  variants={"sq": source, "en": en, "sr": sr},
                  media=(Media("media/a.jpg", {"en": "Map of {place}", "sr": "Мапа {place}"}),))
    return Draft(**{**draft.__dict__, **changes})


def test_every_part_of_every_variant_is_filled() -> None:
    values = collect_values(["place=Pejë", "place.en=Peja", "place.sr=Пећи", "hotline=112",
                             "n=2"])
    draft = fill_draft(_template(), values, "t-now")
    en = draft.variants["en"]
    assert (en.text, en.thread, en.first_comment, en.content_warning) == (
        "In Peja: 112", ("Part 2",), "Comment Peja", "CW Peja")
    own = en.accounts["x"]
    assert (own.text, own.thread, own.first_comment) == ("X only Peja", ("X 2",), "c 2")
    assert draft.variants["sq"].text == "Në Pejë: 112"
    assert draft.variant("sr-Latn").text == "U Peći: 112"
    assert draft.media[0].alt == {"en": "Map of Peja", "sr": "Мапа Пећи"}
    assert draft.id == "t-now" and not draft.template and draft.approved


def test_translations_stay_as_current_as_they_were_in_the_template() -> None:
    template = _template()
    draft = fill_draft(template, collect_values(["place=P", "hotline=1", "n=2"]), "t-now")
    assert template.state("en") == draft.state("en") == TranslationState.APPROVED
    assert template.own_state("en", "x") == draft.own_state("en", "x") == \
        TranslationState.APPROVED
    assert draft.state("sr") == TranslationState.STALE  # stale in the template: still stale
    assert draft.variants["en"].from_source == draft.source_fingerprint != \
        template.source_fingerprint


def test_a_placeholder_left_without_a_value_names_it_and_its_locales() -> None:
    with pytest.raises(UserError, match=r"no value for \{hotline\} \(sq, en, sr\), \{n\}"):
        fill_draft(_template(), collect_values(["place=P"]), "t-now")


def test_a_value_for_no_placeholder_is_refused() -> None:
    with pytest.raises(UserError, match=r"no placeholder \{city\}"):
        fill_draft(_template(), collect_values(["city=P"]), "t-now")
    with pytest.raises(UserError, match=r"no sr-Latn text .*give place.sr"):
        fill_draft(_template(), collect_values(["place.sr-Latn=P"]), "t-now")


def test_the_placeholders_of_a_template_and_their_locales() -> None:
    assert draft_placeholders(_template()) == {
        "place": ("sq", "en", "sr"), "hotline": ("sq", "en", "sr"), "n": ("sq", "en", "sr")}


# The command line, on the demo's holding statements


def _journal(home: Path, event: str) -> list[dict]:
    lines = (home / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    return [record for line in lines if (record := json.loads(line))["event"] == event]


def _actors(home: Path, draft_id: str) -> set[str]:
    with sqlite3.connect(home / "queue.sqlite3") as db:
        return {actor for (actor,) in db.execute(
            "SELECT h.actor FROM history h JOIN items i ON i.id = h.item_id"
            " WHERE i.draft_id = ? AND h.from_state IS NULL", (draft_id,))}


def test_the_demo_lists_its_two_holding_statements(demo: Path) -> None:
    result = cli(demo, "crisis", "list", "--json")
    assert result.code == 0, result.err
    templates = {t["id"]: t for t in json.loads(result.out)["templates"]}
    assert set(templates) == {CONSULAR, CONDOLENCES}
    assert list(templates[CONSULAR]["placeholders"]) == ["place", "hotline", "time"]
    assert list(templates[CONDOLENCES]["placeholders"]) == ["event", "date"]
    for template in templates.values():
        assert template["approved"] and template["translated"] and not template["problem"]
        assert template["states"] == {"sq": "approved", "en": "approved", "sr": "approved"}
    table = cli(demo, "crisis", "list").out
    assert "{place} {hotline} {time}" in table
    listed = {d["id"]: d["template"] for d in json.loads(cli(demo, "drafts", "list",
                                                             "--json").out)["drafts"]}
    assert listed[CONSULAR] and listed[CONDOLENCES] and not listed["flag-day-2026"]
    assert "[template]" in cli(demo, "drafts", "list").out


def test_crisis_use_now_publishes_every_post_approved_and_current(demo: Path) -> None:
    result = cli(demo, "crisis", "use", CONSULAR, *CONSULAR_VALUES, "--now", NOW, "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    draft_id = "holding-consular-emergency-20261127-0900"  # the time, in UTC
    assert report["draft"] == draft_id and report["approved"] is True
    assert report["values"]["place.sr"] == "Скопљу"
    assert report["outcomes"] and {o["state"] for o in report["outcomes"]} == {"sent"}
    made = json.loads(cli(demo, "drafts", "show", draft_id, "--json").out)
    assert made["approved"] is True and made["template"] is False
    states = json.loads(cli(demo, "translations", "status", "--json").out)["drafts"]
    assert states[draft_id] == {"sq": "approved", "en": "approved", "sr": "approved"}
    text = (demo / "drafts" / f"{draft_id}.toml").read_text(encoding="utf-8")
    assert "Скопљу" in text and "{place}" not in text and "{time}" not in text
    assert "template" not in tomllib.loads(text)
    sent = [json.loads(p.read_text(encoding="utf-8"))
            for p in (demo / "outbox").rglob("*.json")]
    assert any("+383 38 213 444" in json.dumps(s, ensure_ascii=False) for s in sent)
    assert len(sent) == len(report["outcomes"])
    record = _journal(demo, "crisis-use")[-1]
    assert record["template"] == CONSULAR and record["draft"] == draft_id
    assert record["values"]["hotline"] == "+383 38 213 444" and record["by"]
    assert _actors(demo, draft_id) == {record["by"]}


def test_the_statement_goes_out_in_every_language_its_accounts_take(demo: Path) -> None:
    result = cli(demo, "crisis", "use", CONDOLENCES, *CONDOLENCE_VALUES, "--now", NOW,
                 "--id", "condolences-floods", "--json")
    assert result.code == 0, result.err
    outcomes = json.loads(result.out)["outcomes"]
    assert {tuple(o["locales"]) for o in outcomes} >= {("sq",), ("en",), ("sr",)}
    texts = json.dumps([json.loads(p.read_text(encoding="utf-8"))
                        for p in (demo / "outbox").rglob("*.json")], ensure_ascii=False)
    assert "поплавама у региону 26. новембра" in texts
    assert "vërshimet në rajon më 26 nëntor" in texts
    assert "the floods in the region on 26 November" in texts


def test_the_service_records_the_identity_it_is_given(demo: Path) -> None:
    context = open_context(demo)
    now = datetime.fromisoformat(NOW)
    at = datetime.fromisoformat("2026-11-27T12:00:00+01:00")
    use = use_template(context, CONDOLENCES, collect_values(CONDOLENCE_VALUES[1::2]),
                       by="ana", now=now, at=at)
    assert use.items and use.draft_id == "holding-condolences-20261127-1100"
    assert _actors(demo, use.draft_id) == {"ana"}
    assert _journal(demo, "crisis-use")[-1]["by"] == "ana"


def test_without_a_time_it_only_makes_the_draft(demo: Path) -> None:
    result = cli(demo, "crisis", "use", CONDOLENCES, *CONDOLENCE_VALUES, "--id", "cond-1")
    assert result.code == 0, result.err
    assert "cond-1" in result.out and (demo / "drafts" / "cond-1.toml").is_file()
    assert json.loads(cli(demo, "queue", "--json").out) == []


@pytest.mark.parametrize("args, problem", [
    (["--set", "event=x"], r"no value for \{date\} \(sq, en, sr\)"),
    (["--set", "event=x", "--set", "date=y", "--set", "city=z"], r"no placeholder \{city\}"),
    (["--set", "event=" + "x" * 300, "--set", "date=y"], "over X's limit"),
    (["--set", "event=x", "--set", "date=y", "--id", "flag-day-2026"], "exists"),
    (["--set", "event=x", "--set", "date=y", "--id", "Bad_Id"], "invalid draft id"),
    (["--set", "event=x", "--set", "date=y", "--through-freeze"], "goes with --at or --now"),
    (["--set", "event"], "is not NAME=VALUE"),
])
def test_a_refusal_is_one_line_and_writes_nothing(demo: Path, args: list[str],
                                                  problem: str) -> None:
    before = snapshot_tree(demo)
    result = cli(demo, "crisis", "use", CONDOLENCES, *args, "--now", NOW) \
        if "--through-freeze" not in args else cli(demo, "crisis", "use", CONDOLENCES, *args)
    assert result.code == 2 and result.out == ""
    assert len(result.err.splitlines()) == 1 and re.search(problem, result.err)
    assert snapshot_tree(demo) == before


def test_a_draft_that_is_no_template_is_refused(demo: Path) -> None:
    result = cli(demo, "crisis", "use", "flag-day-2026", "--set", "x=y", "--now", NOW)
    assert result.code == 2 and "is not a holding statement" in result.err


def test_an_unapproved_template_is_not_sent(demo: Path) -> None:
    path = demo / "drafts" / f"{CONDOLENCES}.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("approved = true",
                                                             "approved = false"))
    before = snapshot_tree(demo)
    result = cli(demo, "crisis", "use", CONDOLENCES, *CONDOLENCE_VALUES, "--now", NOW)
    assert result.code == 2 and "is not approved" in result.err
    assert snapshot_tree(demo) == before
    made = cli(demo, "crisis", "use", CONDOLENCES, *CONDOLENCE_VALUES, "--id", "c2", "--json")
    assert made.code == 0 and json.loads(made.out)["approved"] is False


def test_a_stale_translation_of_the_template_is_named_there(demo: Path) -> None:
    path = demo / "drafts" / f"{CONDOLENCES}.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('from_source = "4d1727eb"', 'from_source = "00000000"', 1))
    before = snapshot_tree(demo)
    result = cli(demo, "crisis", "use", CONDOLENCES, *CONDOLENCE_VALUES, "--now", NOW)
    assert result.code == 2 and snapshot_tree(demo) == before
    assert f"the en text of holding statement '{CONDOLENCES}' is stale" in result.err


def test_a_template_is_never_scheduled_itself(demo: Path) -> None:
    for args in (["schedule", CONSULAR, "--at", "2026-11-27T12:00:00+01:00", "--now", NOW],
                 ["schedule", CONSULAR, "--auto", "--now", NOW],
                 ["publish-now", CONSULAR, "--now", NOW]):
        result = cli(demo, *args)
        assert result.code == 2 and len(result.err.splitlines()) == 1, args
        assert "holding statement" in result.err
    every = cli(demo, "schedule", "--auto", "--all-approved", "--now", NOW, "--json")
    placed = {p["draft"] for p in json.loads(every.out)["placed"]}
    assert placed and not placed & {CONSULAR, CONDOLENCES}
    assert not set(json.loads(every.out)["unplaced"]) & {CONSULAR, CONDOLENCES}


def test_the_default_id_never_overwrites_a_draft(demo: Path) -> None:
    first = cli(demo, "crisis", "use", CONDOLENCES, *CONDOLENCE_VALUES, "--now", NOW, "--json")
    assert first.code == 0, first.err
    assert json.loads(first.out)["draft"] == "holding-condolences-20261127-0900"
    second = use_template(open_context(demo), CONDOLENCES,
                          collect_values(CONDOLENCE_VALUES[1::2]), by="ana",
                          now=datetime.fromisoformat(NOW))
    assert second.draft_id == "holding-condolences-20261127-0900-2" and not second.items


# The freeze


def test_through_freeze_sends_this_statement_and_holds_everything_else(demo: Path) -> None:
    context = open_context(demo)
    other = cli(demo, "schedule", "flag-day-2026", "--at", "2026-11-28T10:00:00+01:00",
                "--now", NOW, "--json")
    assert other.code == 0, other.err
    assert cli(demo, "pause", "--all", "--reason", "storm", "--now", NOW).code == 0
    refused = cli(demo, "crisis", "use", CONSULAR, *CONSULAR_VALUES, "--now", NOW)
    assert refused.code == 2 and "frozen (storm)" in refused.err and "--through-freeze" in \
        refused.err
    at = datetime.fromisoformat("2026-11-27T11:00:00+01:00")
    use = use_template(context, CONSULAR, collect_values(CONSULAR_VALUES[1::2]), by="ana",
                       now=datetime.fromisoformat(NOW), at=at, through_freeze=True)
    queued = {i["id"]: i for i in json.loads(cli(demo, "queue", "--json").out)}
    assert {queued[i]["state"] for i in use.items} == {"queued"}
    # A real flush at the statement's time: it goes out, Flag Day stays held.
    flushed = cli(demo, "flush", "--now", "2026-11-27T11:00:00+01:00")
    assert flushed.code == 0, flushed.err
    after = json.loads(cli(demo, "queue", "--json").out)
    assert {i["state"] for i in after if i["draft"] == use.draft_id} == {"sent"}
    assert {i["state"] for i in after if i["draft"] == "flag-day-2026"} == {"held"}
    assert "FROZEN" in cli(demo, "queue").out  # the freeze is still on


def test_through_freeze_now_publishes_at_once(demo: Path) -> None:
    assert cli(demo, "pause", "--all", "--now", NOW).code == 0
    result = cli(demo, "crisis", "use", CONDOLENCES, *CONDOLENCE_VALUES, "--now", NOW,
                 "--through-freeze", "--json")
    assert result.code == 0, result.err
    assert {o["state"] for o in json.loads(result.out)["outcomes"]} == {"sent"}


def test_an_accounts_own_pause_still_holds_a_statement_let_through(demo: Path) -> None:
    assert cli(demo, "pause", "--all", "--now", NOW).code == 0
    assert cli(demo, "pause", "--account", "mfa-x", "--now", NOW).code == 0
    result = cli(demo, "crisis", "use", CONDOLENCES, *CONDOLENCE_VALUES, "--now", NOW,
                 "--through-freeze", "--json")
    assert result.code == 4
    items = json.loads(cli(demo, "queue", "--json").out)
    assert {i["state"] for i in items if i["account"] == "mfa-x"} == {"held"}
    assert {i["state"] for i in items if i["account"] != "mfa-x"} == {"sent"}
