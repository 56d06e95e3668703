"""Property-based fuzzing of every input a person hands the tool: draft files,
accounts.toml, publisher.toml, PO files, audience CSV and JSON exports, and the
command line itself.

The property is the CLI's contract: every input ends in success (or one of the
command's own exit codes), or in exactly one line ``publisher: error: ...``
with exit code 2; never a traceback, never the last resort's exit 70; and a
refused input changes no file.

Each example runs the CLI in-process on a fresh copy of a small workspace
(accounts on the offline ``outbox`` platform, approved drafts, a queue with
sent and waiting items, an audience, a blackout), with the current folder set
to the copy's temporary folder so that every path an example names stays
inside it. The number of examples comes from the Hypothesis profile registered
in conftest.py: ``ci`` (the default, about 40 per test) or, for a long run,
``HYPOTHESIS_PROFILE=long python -m pytest -q tests/test_fuzz.py``.
"""

from __future__ import annotations

import argparse
import atexit
import copy
import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tomlkit
from conftest import ROOT, Result, run_cli
from hypothesis import (
    HealthCheck,
    assume,
    currently_in_test_context,
    event,
    example,
    given,
    settings,
)
from hypothesis import strategies as st

from publisher.domain.drafts import fingerprint

T0 = "2026-12-01T09:00:00+01:00"
LATER = "2026-12-03T09:00:00+01:00"
ALLOWED = {0, 1, 2, 3, 4}  # 1: drafts check found differences; 3, 4: flush, check, auto
NOT_DATA = {".flush.lock"}  # holds the pid of the last flush

FUZZ = settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


# The workspace every example starts from


NEWS = """\
title = "News"
campaign = "DigitalKosovo"
source = "sq"
accounts = ["box-a", "box-b"]
approved = true

[variants.sq]
text = \"\"\"Lajm i ri nga ambasada. #DigitalKosovo\"\"\"

[variants.en]
text = \"\"\"News from the embassy. #DigitalKosovo\"\"\"
from_source = "{origin}"

[[media]]
file = "media/flag.png"
alt.sq = "Flamuri"
alt.en = "The flag"
"""


def _build_template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="publisher-fuzz-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    home = folder / "ws"

    def ok(*argv: str) -> Result:
        result = run_cli("--home", str(home), *argv)
        assert result.code in (0, 4), (argv, result)
        return result

    assert run_cli("init", str(home)).code == 0
    ok("audiences", "add", "kosovo", "--timezone", "Europe/Belgrade",
       "--window", "MO-FR 08:00-10:00 0.9 morning")
    ok("accounts", "add", "box-a", "--platform", "outbox", "--locales", "sq",
       "--audience", "kosovo")
    ok("accounts", "add", "box-b", "--platform", "outbox", "--locales", "en,sq",
       "--layout", "combined", "--min-gap", "60")
    ok("blackout", "add", "2026-12-24", "--reason", "holiday")
    shutil.copy(ROOT / "drafts" / "media" / "kosovo-flag.png", home / "media" / "flag.png")
    origin = fingerprint("Lajm i ri nga ambasada. #DigitalKosovo")
    (home / "drafts" / "news.toml").write_text(NEWS.format(origin=origin), encoding="utf-8")
    (home / "drafts" / "visit.toml").write_text(
        'title = "Visit"\nsource = "sq"\naccounts = ["box-a"]\napproved = true\n\n'
        '[variants.sq]\ntext = "Vizitë në Prizren."\n', encoding="utf-8")
    (home / "drafts" / "idea.toml").write_text(
        'title = "Idea"\nsource = "en"\naccounts = ["box-b"]\napproved = false\n\n'
        '[variants.en]\ntext = "An idea."\n', encoding="utf-8")
    ok("schedule", "news", "--at", T0, "--now", T0)
    ok("flush", "--now", T0)
    ok("schedule", "visit", "--at", LATER, "--now", T0)
    ok("translations", "export", "--locale", "en", "--out", str(folder / "en.po"))
    (folder / "activity.csv").write_text("weekday,hour,value\nMon,9,12\nTue,18,30\n")
    (folder / "results.csv").write_text("time,engagement\n2026-11-02T09:00:00Z,12\n")
    (folder / "followers.json").write_text(json.dumps({"data": [{"values": [
        {"end_time": "2026-11-03T08:00:00+0000", "value": {"9": 10, "18": 25}}]}]}))
    return folder


@functools.cache
def _template() -> Path:
    return _build_template()


@contextmanager
def workspace() -> Iterator[Path]:
    """A fresh copy of the template; the current folder is the copy's folder."""
    with tempfile.TemporaryDirectory(prefix="publisher-fuzz-") as tmp:
        folder = Path(tmp)
        shutil.copytree(_template(), folder, dirs_exist_ok=True)
        old = Path.cwd()
        os.chdir(folder)
        try:
            yield folder / "ws"
        finally:
            os.chdir(old)


def _tree(folder: Path) -> dict[str, bytes | None]:
    return {
        str(path.relative_to(folder)): path.read_bytes() if path.is_file() else None
        for path in sorted(folder.rglob("*"))
        if path.name not in NOT_DATA
    }


def check(home: Path, *argv: str, stdin: str | None = None,
          allowed: set[int] = ALLOWED) -> Result:
    """Run ``publisher --home HOME ARGV`` and hold it to the contract."""
    folder = home.parent
    before = _tree(folder)
    result = run_cli("--home", str(home), *argv, stdin=stdin)
    if currently_in_test_context():  # counted by --hypothesis-show-statistics
        words = [word for word in argv[:2] if re.fullmatch(r"[a-z][a-z-]*", word)]
        event(f"{' '.join(words)}: exit {result.code}")
    shown = f"argv={argv!r}\ncode={result.code}\nstderr={result.err[-3000:]!r}"
    assert "Traceback" not in result.err and "Traceback" not in result.out, shown
    assert result.code in allowed, shown
    if result.code == 2:
        if "--json" in argv and not result.err:
            json.loads(result.out)  # asked for JSON, the errors are in it (drafts list)
        else:
            lines = result.err.strip().splitlines()
            assert lines and all(line.startswith("publisher: error: ") for line in lines), shown
            # Several lines only where the contract says so: a command over all drafts
            # reports each broken draft file on its own line.
            assert len(lines) == 1 or all(
                line.startswith("publisher: error: drafts/") for line in lines), shown
        after = _tree(folder)
        changed = sorted(name for name in set(before) | set(after)
                         if before.get(name, b"") != after.get(name, b""))
        assert not changed, f"a refused input changed {changed}\n{shown}"
    return result


# Values: right types, wrong types, and the nasty ones


NASTY_TEXT = st.sampled_from([
    "", " ", "\t", "\n", "nan", "NaN", "inf", "-inf", "1e400", "-1", "0", "-0",
    str(2**63), str(2**64), "٣", "１２", "\udcff", "a\x00b", "\u202e", "🇽🇰",
    "\\", '"', "'''", '"""', "${HOME}", "%s", "{0}", "{id}", "--help", "-", "../x",
    "2026-02-30", "2026-12-01T25:00:00Z", "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z", "2026-12-01T09:00:00", "sq", "sr-Latn", "outbox",
]) | st.tuples(st.sampled_from(["9", "x", "Ё", "🇽🇰"]), st.sampled_from([400, 5000])).map(
    lambda pair: pair[0] * pair[1])  # long texts, kept out of the strategies' repr
TEXT = st.one_of(st.text(max_size=60), NASTY_TEXT)
BIG_INTS = st.one_of(st.integers(), st.integers(min_value=-(2**80), max_value=2**80),
                     st.sampled_from([0, -1, 1, 2**31, 2**63 - 1, 2**63, -(2**63) - 1]))
FLOATS = st.floats(allow_nan=True, allow_infinity=True)
MOMENTS = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                       timezones=st.sampled_from([UTC]) | st.timezones())
TOML_SCALAR = st.one_of(
    TEXT, BIG_INTS, FLOATS, st.booleans(), MOMENTS, st.datetimes(), st.dates(), st.times(),
)
TOML_VALUE = st.recursive(
    TOML_SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
LOCALE_TAGS = st.sampled_from(["sq", "en", "sr", "sr-Latn", "sr-latn", "SQ", "de", "sq-AL",
                               "x-klingon", ""]) | TEXT
ZONES = st.sampled_from(["Europe/Belgrade", "UTC", "America/New_York", "Pacific/Kiritimati",
                         "Etc/GMT+12", "Europe/Pristina", "../../etc/passwd", "/etc/localtime",
                         "Europe/", "europe/belgrade", ""]) | TEXT
URLS = st.sampled_from([
    "https://mastodon.social", "http://127.0.0.1:9", "http://example.org", "https://",
    "https://a b", "http://localhost@evil.example", "ftp://x", "https://[::1",
    "https://x.example:99999", "https://x.example/" + "a" * 3000,
]) | TEXT
WINDOWS = st.sampled_from([
    "MO-FR 08:00-10:00 0.9 morning", "SA,SU 10:00-12:00 0.5", "MO 23:00-01:00 1",
    "MO-FR 08:00-08:00 0.9", "MO-FR 24:00-25:00 0.9", "XX 08:00-10:00 0.9",
    "MO-FR 08:00-10:00 nan", "MO-FR 08:00-10:00 inf", "MO-FR 08:00-10:00 -1", "MO-FR",
]) | TEXT


def value_or(right: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly the right kind of value, sometimes any TOML value at all."""
    return st.one_of(right, right, right, TOML_VALUE)


def toml_text(document: dict) -> str:
    try:
        return tomlkit.dumps(document)
    except Exception:  # a value tomlkit cannot write (its own limits, not ours)
        assume(False)
        raise


@st.composite
def overlay(draw: st.DrawFn, valid: dict, fuzzed: st.SearchStrategy[dict]) -> dict:
    """A valid document with a few of its fields replaced by fuzzed ones or left out:
    most examples then get past the first check and reach the code behind it."""
    document = copy.deepcopy(valid)
    replacements = draw(fuzzed)
    for key in draw(st.sets(st.sampled_from(sorted(replacements) or [""]), max_size=3)):
        if key in replacements:
            document[key] = replacements[key]
    if draw(st.integers(0, 3)) == 0:
        document.pop(draw(st.sampled_from(sorted(valid))), None)
    return document


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """A valid text with a few characters or lines inserted, deleted or repeated."""
    for _step in range(draw(st.integers(1, 4))):
        lines = text.splitlines(keepends=True) or [""]
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["insert", "delete", "repeat", "cut"]))
        line = lines[index]
        at = draw(st.integers(0, len(line)))
        if action == "insert":
            lines[index] = line[:at] + draw(
                st.sampled_from(['"', "'", "[", "]", "{", "}", "=", "#", "\\", "\n", ",", ":",
                                 "\x00", "\udcff", "é", "~", "|", "msgid ", "msgstr "])
                | st.text(max_size=5)) + line[at:]
        elif action == "delete":
            lines[index] = line[:at] + line[at + draw(st.integers(1, 5)):]
        elif action == "repeat":
            lines.insert(index, line)
        else:
            lines = lines[:index]
        text = "".join(lines)
    return text


# Draft files


ACCOUNT_IDS = st.sampled_from(["box-a", "box-b", "nobody", "Box-A", ""]) | TEXT
DRAFT = st.fixed_dictionaries({}, optional={
    "title": value_or(TEXT),
    "campaign": value_or(TEXT),
    "source": value_or(LOCALE_TAGS),
    "accounts": value_or(st.lists(ACCOUNT_IDS, max_size=4)),
    "not_before": value_or(MOMENTS),
    "deadline": value_or(MOMENTS),
    "approved": value_or(st.booleans()),
    "variants": value_or(st.dictionaries(LOCALE_TAGS, value_or(st.fixed_dictionaries(
        {}, optional={"text": value_or(TEXT), "from_source": value_or(TEXT)})), max_size=4)),
    "media": value_or(st.lists(value_or(st.fixed_dictionaries({}, optional={
        "file": value_or(st.sampled_from(["media/flag.png", "media/none.png", "../queue.sqlite3",
                                          "/etc/passwd", "media", ""]) | TEXT),
        "alt": value_or(st.dictionaries(LOCALE_TAGS, value_or(TEXT), max_size=3)),
    })), max_size=3)),
    "extra": TOML_VALUE,
})
VALID_DRAFT = {
    "title": "Fuzz", "campaign": "DigitalKosovo", "source": "sq",
    "accounts": ["box-a", "box-b"], "approved": True,
    "not_before": datetime(2026, 11, 30, 8, tzinfo=UTC),
    "deadline": datetime(2026, 12, 20, 22, tzinfo=UTC),
    "variants": {"sq": {"text": "Lajm #DigitalKosovo"},
                 "en": {"text": "News #DigitalKosovo",
                        "from_source": fingerprint("Lajm #DigitalKosovo")}},
    "media": [{"file": "media/flag.png", "alt": {"sq": "Flamuri", "en": "The flag"}}],
}
VARIANTS = overlay(VALID_DRAFT["variants"], st.fixed_dictionaries({
    "sq": value_or(st.fixed_dictionaries({"text": value_or(TEXT)})),
    "en": value_or(st.fixed_dictionaries({"text": value_or(TEXT),
                                          "from_source": value_or(TEXT)})),
    "sr-Latn": value_or(st.fixed_dictionaries({"text": value_or(TEXT)})),
}))
DRAFT_TEXT = st.one_of(
    overlay(VALID_DRAFT, DRAFT).map(toml_text),
    overlay(VALID_DRAFT, st.fixed_dictionaries({"variants": VARIANTS})).map(toml_text),
    DRAFT.map(toml_text),
    st.builds(lambda d: d, st.text(max_size=300)),
    mutated(NEWS.format(origin="00000000")),
)
DRAFT_COMMANDS = st.sampled_from([
    ("drafts", "show", "fz"), ("drafts", "show", "fz", "--json"), ("drafts", "list"),
    ("drafts", "list", "--json"), ("drafts", "validate"), ("drafts", "check", "fz"),
    ("drafts", "check"), ("drafts", "approve", "fz"),
    ("schedule", "fz", "--at", LATER, "--now", T0), ("schedule", "fz", "--now", T0),
    ("schedule", "--auto", "--all-approved", "--now", T0), ("publish-now", "fz", "--now", T0),
    ("translations", "status"), ("translations", "export", "--locale", "en", "--out", "x.po"),
    ("flush", "--now", LATER), ("queue", "--json"),
])


DEEP_ARRAYS = "accounts = " + "[" * 3000 + "]" * 3000


@FUZZ
@given(text=DRAFT_TEXT, commands=st.lists(DRAFT_COMMANDS, min_size=1, max_size=3))
@example(text=DEEP_ARRAYS, commands=[("drafts", "show", "fz")])
def test_draft_files(text: str, commands: list[tuple[str, ...]]) -> None:
    with workspace() as home:
        (home / "drafts" / "fz.toml").write_text(text, encoding="utf-8", errors="surrogatepass")
        for command in commands:
            check(home, *command)


# accounts.toml and publisher.toml


ACCOUNT = st.fixed_dictionaries({}, optional={
    "platform": value_or(st.sampled_from(["outbox", "mastodon", "x", "myspace", "OUTBOX"])),
    "handle": value_or(TEXT),
    "api_base": value_or(URLS),
    "locales": value_or(st.lists(LOCALE_TAGS, max_size=4)),
    "layout": value_or(st.sampled_from(["separate", "combined", "other"])),
    "audience": value_or(st.sampled_from(["kosovo", "nowhere", "Bad Name"]) | TEXT),
    "min_gap": value_or(BIG_INTS),
    "max_per_day": value_or(BIG_INTS),
    "max_lateness": value_or(BIG_INTS),
    "imitates": value_or(st.sampled_from(["x", "mastodon", "outbox", "myspace"])),
    "media_url": value_or(URLS),
    "extra": TOML_VALUE,
})
HOURS = st.lists(value_or(FLOATS), min_size=0, max_size=26)
AUDIENCE = st.fixed_dictionaries({}, optional={
    "timezone": value_or(ZONES),
    "windows": value_or(st.lists(value_or(st.fixed_dictionaries({}, optional={
        "days": value_or(st.sampled_from(["MO-FR", "SA,SU", "XX", "FR-MO", ""]) | TEXT),
        "start": value_or(st.sampled_from(["08:00", "24:00", "7", "-1:00"]) | TEXT),
        "end": value_or(st.sampled_from(["10:00", "00:00", "23:59", "25:00"]) | TEXT),
        "weight": value_or(FLOATS),
        "name": value_or(TEXT),
    })), max_size=3)),
    "hourly": value_or(st.dictionaries(st.sampled_from(["MO", "TU", "SU", "XX"]), HOURS)),
    "learned": value_or(st.fixed_dictionaries({"posts": value_or(BIG_INTS)}, optional={
        "MO": HOURS, "FR": HOURS})),
    "imported_from": value_or(TEXT),
})
ACCOUNTS_FILE = st.fixed_dictionaries({}, optional={
    "accounts": value_or(st.dictionaries(
        st.sampled_from(["box-a", "box-b", "box-c", "Bad Id", ""]) | TEXT,
        value_or(ACCOUNT), max_size=3)),
    "audiences": value_or(st.dictionaries(
        st.sampled_from(["kosovo", "diaspora", "Bad Name"]) | TEXT, value_or(AUDIENCE),
        max_size=2)),
    "blackouts": value_or(st.lists(value_or(st.fixed_dictionaries({}, optional={
        "date": value_or(st.dates()), "audience": value_or(TEXT), "reason": value_or(TEXT),
    })), max_size=3)),
    "extra": TOML_VALUE,
})
VALID_ACCOUNTS = {
    "box-a": {"platform": "outbox", "locales": ["sq"], "audience": "kosovo"},
    "box-b": {"platform": "outbox", "locales": ["en", "sq"], "layout": "combined",
              "min_gap": 60},
}
VALID_AUDIENCE = {
    "timezone": "Europe/Belgrade",
    "windows": [{"days": "MO-FR", "start": "08:00", "end": "10:00", "weight": 0.9}],
    "hourly": {day: [0.5] * 24 for day in ("MO", "TU", "WE", "TH", "FR", "SA", "SU")},
}
ACCOUNTS_NEAR_VALID = st.fixed_dictionaries({
    "accounts": st.fixed_dictionaries({
        "box-a": overlay(VALID_ACCOUNTS["box-a"], ACCOUNT),
        "box-b": overlay(VALID_ACCOUNTS["box-b"], ACCOUNT),
    }),
    "audiences": st.fixed_dictionaries({"kosovo": overlay(VALID_AUDIENCE, AUDIENCE)}),
    "blackouts": st.lists(st.fixed_dictionaries(
        {"date": st.dates()}, optional={"audience": value_or(st.just("kosovo")),
                                        "reason": value_or(TEXT)}), max_size=2),
})
ACCOUNTS_COMMANDS = st.sampled_from([
    ("accounts", "list"), ("accounts", "list", "--json"), ("audiences", "list"),
    ("audiences", "show", "kosovo"), ("audiences", "show", "kosovo", "--json"),
    ("blackout", "list"), ("blackout", "add", "2026-12-25"),
    ("blackout", "remove", "2026-12-24"), ("slots", "box-a", "--now", T0),
    ("slots", "box-b", "--now", T0, "--json"), ("schedule", "visit", "--now", LATER),
    ("drafts", "check"), ("accounts", "set", "box-a", "--min-gap", "5"),
    ("accounts", "add", "box-z", "--platform", "outbox"), ("accounts", "remove", "box-c"),
    ("audiences", "add", "fresh", "--timezone", "UTC"), ("queue",),
])


@FUZZ
@given(text=st.one_of(ACCOUNTS_NEAR_VALID.map(toml_text), ACCOUNTS_NEAR_VALID.map(toml_text),
                      ACCOUNTS_FILE.map(toml_text), st.text(max_size=300)),
       commands=st.lists(ACCOUNTS_COMMANDS, min_size=1, max_size=3))
def test_accounts_files(text: str, commands: list[tuple[str, ...]]) -> None:
    with workspace() as home:
        (home / "accounts.toml").write_text(text, encoding="utf-8", errors="surrogatepass")
        for command in commands:
            # Never the network: only outbox accounts may be asked or flushed, and the
            # fuzzed file may name any platform, so these commands stay out.
            check(home, *command)


SETTINGS_FILE = st.fixed_dictionaries({}, optional={
    "source_locale": value_or(LOCALE_TAGS), "ui_locale": value_or(LOCALE_TAGS),
    "timezone": value_or(ZONES), "extra": TOML_VALUE,
})
SETTINGS_COMMANDS = st.sampled_from([
    ("drafts", "list"), ("accounts", "list"), ("queue",), ("drafts", "new", "fresh"),
    ("schedule", "visit", "--now", LATER), ("translations", "status"), ("audiences", "list"),
    ("flush", "--now", LATER), ("slots", "box-a", "--now", T0),
])


@FUZZ
@given(text=st.one_of(
    overlay({"source_locale": "sq", "ui_locale": "en", "timezone": "Europe/Belgrade"},
            SETTINGS_FILE).map(toml_text),
    SETTINGS_FILE.map(toml_text), st.text(max_size=200)),
       commands=st.lists(SETTINGS_COMMANDS, min_size=1, max_size=3))
def test_settings_files(text: str, commands: list[tuple[str, ...]]) -> None:
    with workspace() as home:
        (home / "publisher.toml").write_text(text, encoding="utf-8", errors="surrogatepass")
        for command in commands:
            check(home, *command)


# PO files


def _exported_po() -> str:
    return (_template() / "en.po").read_text(encoding="utf-8")


@FUZZ
@given(data=st.data())
def test_po_files(data: st.DataObject) -> None:
    text = data.draw(st.one_of(mutated(_exported_po()), st.text(max_size=300)))
    locale = data.draw(st.none() | LOCALE_TAGS)
    with workspace() as home:
        path = home.parent / "in.po"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        check(home, "translations", "import", str(path),
              *(("--locale", locale) if locale is not None else ()))


PO_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80)


@FUZZ
@given(translation=PO_TEXT)
@example(translation='Вест "у" наводницима\\n и \\\\ косе црте')
@example(translation="0\r\n0\r1")
def test_po_round_trip_imports_the_text_as_written(translation: str) -> None:
    """A well-formed PO file (written by Babel) imports its translation exactly as
    the translator wrote it, or is refused in one line."""
    from babel.messages.pofile import read_po, write_po

    from publisher.domain.drafts import normalized_text

    with workspace() as home:
        path = home.parent / "en.po"
        with path.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if message.id and message.context == "news/text":
                message.string = translation
        with path.open("wb") as handle:
            write_po(handle, catalog)
        result = check(home, "translations", "import", str(path))
        # Carriage returns survive too: the draft writes a text holding one escaped.
        expected = normalized_text(translation)
        if result.code == 0 and expected:
            shown = check(home, "drafts", "show", "news", "--json")
            variants = json.loads(shown.out)["variants"]
            assert variants["en"]["text"] == expected


def _msgfmt_refuses(path: Path) -> bool:
    done = subprocess.run(["msgfmt", "--check-format", "-o", os.devnull, str(path)],
                          capture_output=True)
    return done.returncode != 0


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU msgfmt is not installed")
@FUZZ
@given(data=st.data())
def test_a_po_file_msgfmt_refuses_is_refused(data: st.DataObject) -> None:
    text = data.draw(mutated(_exported_po()))
    with workspace() as home:
        path = home.parent / "in.po"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        refused = _msgfmt_refuses(path)
        result = check(home, "translations", "import", str(path))
        if refused:
            assert result.code == 2, "a PO file GNU msgfmt refuses was imported"


# Audience activity exports


CELLS = st.one_of(
    st.sampled_from(["Mon", "tue", "Sunday", "SU", "Funday", "", " Mon "]),
    st.integers(-30, 30).map(str), FLOATS.map(str), BIG_INTS.map(str), TEXT,
)
CSV_TEXT = st.one_of(
    st.lists(st.lists(CELLS, min_size=0, max_size=4), max_size=12).map(
        lambda rows: "weekday,hour,value\n" + "\n".join(",".join(r) for r in rows)),
    st.lists(st.tuples(st.sampled_from(["Mon", "Tue", "Sat"]), st.integers(0, 23),
                       st.floats(0, 1e6)), max_size=30).map(
        lambda rows: "weekday,hour,value\n" + "".join(f"{d},{h},{v}\n" for d, h, v in rows)),
    mutated("weekday,hour,value\nMon,9,12\nTue,18,30\n"),
    st.text(max_size=200),
)

JSON_VALUE = st.recursive(
    st.none() | st.booleans() | BIG_INTS | FLOATS | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=10,
)


def json_or(right: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly the right kind of value, sometimes any JSON value at all."""
    return st.one_of(right, right, right, JSON_VALUE)


FOLLOWERS = st.fixed_dictionaries({"data": json_or(st.lists(json_or(st.fixed_dictionaries({
    "values": json_or(st.lists(json_or(st.fixed_dictionaries({}, optional={
        "end_time": json_or(MOMENTS.map(lambda m: m.isoformat()) | TEXT),
        "value": json_or(st.dictionaries(
            st.integers(-2, 30).map(str) | TEXT, json_or(BIG_INTS | FLOATS), max_size=6)),
    })), max_size=5)),
})), max_size=2))})
JSON_TEXT = st.one_of(
    FOLLOWERS.map(lambda d: json.dumps(d, allow_nan=True)),
    JSON_VALUE.map(lambda d: json.dumps(d, allow_nan=True)).filter(lambda t: t.startswith("{"))
    | JSON_VALUE.map(lambda d: "{" + json.dumps(d, allow_nan=True)),
)


HUGE_FIELD = "weekday,hour,value\nMon,1," + "9" * 200_000


@FUZZ
@given(text=st.one_of(CSV_TEXT, JSON_TEXT), name=st.sampled_from(["kosovo", "fresh"]) | TEXT,
       zone=st.none() | ZONES, hours_in=st.none() | ZONES,
       then=st.sampled_from([(), ("audiences", "show", "kosovo"), ("slots", "box-a", "--now", T0),
                             ("schedule", "visit", "--now", LATER)]))
@example(text=HUGE_FIELD, name="kosovo", zone=None, hours_in=None, then=())
def test_audience_exports(text: str, name: str, zone: str | None, hours_in: str | None,
                          then: tuple[str, ...]) -> None:
    with workspace() as home:
        path = home.parent / "export.csv"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        options = [*(("--timezone", zone) if zone is not None else ()),
                   *(("--hours-in", hours_in) if hours_in is not None else ())]
        result = check(home, "audiences", "import", name, str(path), "--now", T0, *options)
        if result.code == 0 and then:
            check(home, *then)


ENGAGEMENT_TEXT = st.one_of(
    st.lists(st.tuples(MOMENTS.map(lambda m: m.isoformat()) | TEXT,
                       (FLOATS | BIG_INTS).map(str) | TEXT), max_size=8).map(
        lambda rows: "time,engagement\n" + "".join(f"{t},{v}\n" for t, v in rows)),
    st.lists(st.tuples(st.sampled_from(["file://outbox/x", "https://x.example/1"]) | TEXT,
                       (FLOATS | BIG_INTS).map(str)), max_size=8).map(
        lambda rows: "url,engagement\n" + "".join(f"{u},{v}\n" for u, v in rows)),
    mutated("time,engagement\n2026-11-02T09:00:00Z,12\n"),
    st.text(max_size=200),
)


@FUZZ
@given(text=ENGAGEMENT_TEXT, account=st.sampled_from(["box-a", "box-b"]) | TEXT)
def test_engagement_files(text: str, account: str) -> None:
    with workspace() as home:
        path = home.parent / "engagement.csv"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        result = check(home, "audiences", "learn", account, "--from", str(path))
        if result.code == 0:
            check(home, "slots", account, "--now", T0)


# The command line


@functools.cache
def _leaf_parsers() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    from publisher.cli import build_parser

    leaves: dict[tuple[str, ...], argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            leaves[path] = parser
            return
        for name, child in subs[0].choices.items():
            walk(child, (*path, name))

    walk(build_parser(), ())
    # Left out: the login (a listener waiting for a browser, the network) and the
    # demo (it opens the workspace it makes, which the other commands cover).
    return {path: p for path, p in leaves.items() if path not in {("accounts", "login")}}


IDS = st.sampled_from(["box-a", "box-b", "news", "visit", "idea", "kosovo", "nobody",
                       "Bad Id", "1"]) | TEXT
PATHS = st.one_of(
    st.sampled_from(["ws/accounts.toml", "ws/publisher.toml", "ws/queue.sqlite3", "ws/drafts",
                     "ws/drafts/news.toml", "ws/media/flag.png", "activity.csv", "results.csv",
                     "followers.json", "en.po", "missing.csv", "new.po", "sub/dir/x.po", "ws",
                     ".", "ws/queue.sqlite3-wal", "ws/.flush.lock"]),
    st.text(st.characters(blacklist_characters="/\x00"), min_size=1, max_size=30).filter(
        lambda name: name not in (".", "..")),
)
NUMBERS = st.one_of(BIG_INTS.map(str), FLOATS.map(str), NASTY_TEXT)
MOMENT_TEXT = st.one_of(MOMENTS.map(lambda m: m.isoformat()),
                        st.sampled_from([T0, LATER, "2026-12-01T09:00:00Z"]), NASTY_TEXT)
BY_OPTION = {
    "--platform": st.sampled_from(["outbox", "mastodon", "x", "myspace"]) | TEXT,
    "--api-base": URLS, "--media-url": URLS, "--redirect-uri": URLS,
    "--locales": st.lists(LOCALE_TAGS, max_size=3).map(",".join) | TEXT,
    "--locale": LOCALE_TAGS, "--source": LOCALE_TAGS,
    "--layout": st.sampled_from(["separate", "combined"]) | TEXT,
    "--state": st.sampled_from(["queued", "sent", "failed", "bogus"]) | TEXT,
    "--audience": IDS, "--account": IDS,
    "--min-gap": NUMBERS, "--max-per-day": NUMBERS, "--max-lateness": NUMBERS,
    "--count": NUMBERS, "--port": NUMBERS, "--timeout": NUMBERS,
    "--at": MOMENT_TEXT, "--now": MOMENT_TEXT,
    "--out": PATHS, "--from": PATHS,
    "--timezone": ZONES, "--hours-in": ZONES, "--window": WINDOWS,
}
BY_POSITIONAL = {
    "dir": PATHS, "file": PATHS, "item": NUMBERS,
    "date": st.dates().map(str) | NASTY_TEXT | TEXT,
}


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    leaves = _leaf_parsers()
    path = draw(st.sampled_from(sorted(leaves)))
    parser = leaves[path]
    argv: list[str] = []
    if draw(st.booleans()):
        argv += ["--lang", draw(st.sampled_from(["sq", "en", "sr", "sr-Latn", "de"]) | TEXT)]
    argv += list(path)
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if not action.option_strings:  # a positional
            if action.nargs == "?" and draw(st.booleans()):
                continue
            argv.append(draw(BY_POSITIONAL.get(action.dest, IDS)))
            continue
        if not draw(st.booleans()):
            continue
        argv.append(action.option_strings[-1])
        if action.nargs != 0:
            argv.append(draw(BY_OPTION.get(action.option_strings[-1], TEXT)))
    if draw(st.integers(0, 9)) == 0:
        argv.insert(draw(st.integers(0, len(argv))), draw(TEXT | NASTY_TEXT))
    return argv


def _stays_inside(argv: list[str]) -> bool:
    """Whether every path the arguments could name lies inside the example's folder
    (the current one): no absolute path, no home folder, no way up, no other --home
    (abbreviated ones too: argparse takes --ho for --home)."""
    return not any(
        "\x00" in arg or arg.startswith(("/", "~", "--ho")) or ".." in arg for arg in argv)


@FUZZ
@given(argv=command_lines(), stdin=st.none() | TEXT)
@example(argv=["accounts", "add", "m", "--platform", "mastodon", "--api-base",
               "http://localhost@evil.example"], stdin=None)
def test_command_lines(argv: list[str], stdin: str | None) -> None:
    assume(_stays_inside(argv))  # (and no real argument can hold a NUL)
    with workspace() as home:
        check(home, *argv, stdin=stdin)


@FUZZ
@given(argv=st.lists(TEXT | st.sampled_from(["init", "-v", "-vv", "--lang", "queue",
                                              "drafts", "accounts", "--json"]), max_size=6))
def test_any_words(argv: list[str]) -> None:
    assume(_stays_inside(argv))
    with workspace() as home:
        check(home, *argv)


def test_the_template_is_what_the_fuzzers_expect() -> None:
    """The fuzzers' starting point works: a broken template would turn every example
    into the same refusal and prove nothing."""
    with workspace() as home:
        queue = json.loads(check(home, "queue", "--json").out)
        assert sorted(item["state"] for item in queue) == ["queued", "sent", "sent"]
        assert check(home, "drafts", "validate").code == 0
        assert check(home, "translations", "import", "en.po").code == 0
        assert check(home, "audiences", "import", "kosovo", "activity.csv",
                     "--now", T0).code == 0
        assert check(home, "audiences", "learn", "box-a", "--from", "results.csv").code == 0
        assert check(home, "slots", "box-a", "--now", T0, "--json").out.startswith("[")
