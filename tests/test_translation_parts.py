"""Every part of a draft is translatable like its text: one PO entry per part (msgctxt
DRAFT/text, DRAFT/thread/N, DRAFT/first_comment, DRAFT/content_warning,
DRAFT/accounts/ACCOUNT/...), and an import makes a variant current only when all of
its parts are translated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomlkit
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

DRAFT = '''title = "Thread"
source = "sq"
accounts = ["mfa-x", "mfa-tg"]

[variants.sq]
text = "Pjesa e parë."
thread = ["Pjesa e dytë.", "Pjesa e tretë."]
first_comment = "Lidhja: https://mfa.example/a"
content_warning = "Politikë"

[variants.sq.accounts.mfa-x]
text = "E shkurtër."
thread = ["Vazhdim."]
'''

PARTS = {
    "thread/text": ("Pjesa e parë.", "Part one."),
    "thread/thread/2": ("Pjesa e dytë.", "Part two."),
    "thread/thread/3": ("Pjesa e tretë.", "Part three."),
    "thread/first_comment": ("Lidhja: https://mfa.example/a", "Link: https://mfa.example/a"),
    "thread/content_warning": ("Politikë", "Politics"),
}
OWN = {
    "thread/accounts/mfa-x/text": ("E shkurtër.", "Short."),
    "thread/accounts/mfa-x/thread/2": ("Vazhdim.", "Continued."),
}


@pytest.fixture
def ws(home: Path) -> Path:
    for args in (("mfa-x", "--platform", "x", "--locales", "sq,en"),
                 ("mfa-tg", "--platform", "telegram", "--locales", "sq,en")):
        assert run_cli("--home", str(home), "accounts", "add", *args).code == 0
    (home / "drafts" / "thread.toml").write_text(DRAFT, encoding="utf-8")
    return home


def cli(home: Path, *args: str):
    return run_cli("--home", str(home), *args)


def export(ws: Path) -> Path:
    out = ws.parent / "en.po"
    result = cli(ws, "translations", "export", "--locale", "en", "--out", str(out))
    assert result.code == 0, result.err
    return out


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def translate(path: Path, texts: dict[str, str]) -> None:
    """Fill the msgstr of the entries named by msgctxt; every other one is emptied."""
    catalog = read(path)
    for message in catalog:
        if message.id:
            message.string = texts.get(message.context or "", "")
            message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog)


def show(ws: Path) -> dict:
    result = cli(ws, "drafts", "show", "thread", "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)["variants"]["en"]


def test_export_writes_one_entry_per_part_with_its_context(ws: Path) -> None:
    catalog = read(export(ws))
    entries = {message.context: message.id for message in catalog if message.id}
    assert entries == {ctxt: source for ctxt, (source, _) in {**PARTS, **OWN}.items()}
    assert list(entries) == [*PARTS, *OWN]  # in the order the parts go out


def test_a_thread_round_trip_makes_the_variant_current(ws: Path) -> None:
    path = export(ws)
    translate(path, {ctxt: text for ctxt, (_, text) in {**PARTS, **OWN}.items()})
    result = cli(ws, "translations", "import", str(path))
    assert result.code == 0, result.err
    assert "stale" not in result.err
    variant = show(ws)
    assert variant["text"] == "Part one." and variant["state"] == "translated"
    assert variant["thread"] == ["Part two.", "Part three."]
    assert variant["first_comment"] == "Link: https://mfa.example/a"
    assert variant["content_warning"] == "Politics"
    own = variant["accounts"]["mfa-x"]
    assert (own["text"], own["thread"], own["state"]) == ("Short.", ["Continued."], "translated")
    status = json.loads(cli(ws, "translations", "status", "--json").out)
    assert status["drafts"]["thread"]["en"] == "translated"
    assert status["accounts"]["thread"]["mfa-x"]["en"] == "translated"


def test_a_partial_import_stays_stale_and_names_the_missing_parts(ws: Path) -> None:
    path = export(ws)
    texts = {ctxt: text for ctxt, (_, text) in PARTS.items() if ctxt != "thread/thread/3"}
    translate(path, texts)
    result = cli(ws, "translations", "import", str(path))
    assert result.code == 0, result.err
    assert "thread/thread/3" in result.err and "stale" in result.err
    # An own text nobody started on is left as it was (like an empty entry), unnamed.
    assert "mfa-x" not in result.err
    variant = show(ws)
    assert variant["text"] == "Part one." and variant["state"] == "stale"
    assert variant["thread"] == ["Part two."]
    # The rest translated later: the variant turns current.
    path = export(ws)
    translate(path, {ctxt: text for ctxt, (_, text) in PARTS.items()})
    assert cli(ws, "translations", "import", str(path)).code == 0
    assert show(ws)["state"] == "translated"


def test_an_old_po_file_with_the_draft_id_alone_still_imports(ws: Path) -> None:
    (ws / "drafts" / "thread.toml").write_text(
        'source = "sq"\naccounts = ["mfa-x"]\n[variants.sq]\ntext = "Lajm."\n', encoding="utf-8")
    old = ws.parent / "old.po"
    old.write_text('msgid ""\nmsgstr ""\n"Language: en\\n"\n"Content-Type: text/plain; '
                   'charset=UTF-8\\n"\n\nmsgctxt "thread"\nmsgid "Lajm."\nmsgstr "News."\n',
                   encoding="utf-8")
    result = cli(ws, "translations", "import", str(old))
    assert result.code == 0, result.err
    assert (show(ws)["text"], show(ws)["state"]) == ("News.", "translated")


def test_the_same_part_twice_is_refused(ws: Path) -> None:
    path = export(ws)
    translate(path, {ctxt: text for ctxt, (_, text) in PARTS.items()})
    with path.open("a", encoding="utf-8") as handle:
        handle.write('\nmsgctxt "thread"\nmsgid "Pjesa e parë."\nmsgstr "Other."\n')
    before = (ws / "drafts" / "thread.toml").read_bytes()
    result = cli(ws, "translations", "import", str(path))
    assert result.code == 2 and "thread/text" in result.err
    assert (ws / "drafts" / "thread.toml").read_bytes() == before


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40) \
    .map(str.strip).filter(bool)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(source=st.lists(TEXT, min_size=1, max_size=4), target=st.lists(TEXT, min_size=4,
                                                                          max_size=4))
def test_any_part_texts_round_trip(tmp_path_factory, source: list[str],
                                   target: list[str]) -> None:
    import unicodedata

    home = tmp_path_factory.mktemp("ws")
    assert run_cli("init", str(home)).code == 0
    variant = {"text": source[0], "thread": source[1:]}
    draft = {"source": "sq", "variants": {"sq": variant}}
    (home / "drafts" / "d.toml").write_text(tomlkit.dumps(draft), encoding="utf-8")
    path = home.parent / "en.po"
    assert cli(home, "translations", "export", "--locale", "en", "--out", str(path)).code == 0
    wanted = {"d/text": target[0], **{f"d/thread/{n}": target[n - 1]
                                      for n in range(2, len(source) + 1)}}
    translate(path, wanted)
    result = cli(home, "translations", "import", str(path))
    assert result.code == 0, result.err
    shown = json.loads(cli(home, "drafts", "show", "d", "--json").out)["variants"]["en"]
    clean = [unicodedata.normalize("NFC", text).strip() for text in target]
    assert [shown["text"], *shown["thread"]] == clean[:len(source)]
    assert shown["state"] == "translated"
