"""``translations import`` reads PO files strictly: a malformed file is refused with
FILE:LINE and nothing written, sizes are bounded, and what is imported is exactly
what the file says."""

from __future__ import annotations

import ast
import os
import resource
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomlkit
from babel.messages.pofile import read_po, write_po
from conftest import run_cli, snapshot_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publisher.domain.errors import UserError
from publisher.domain.locales import normalized_text
from publisher.domain.textrules import MAX_TEXT_CHARS
from publisher.services.po_syntax import po_lines
from publisher.storage.bounded import MAX_FILE_BYTES

SOURCE = "Lajme të mira."
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def ws(home: Path) -> Path:
    (home / "drafts" / "news.toml").write_text(
        f'source = "sq"\n[variants.sq]\ntext = "{SOURCE}"\n', encoding="utf-8")
    return home


def export(home: Path, out: Path) -> str:
    result = run_cli("--home", str(home), "translations", "export", "--locale", "en",
                     "--out", str(out))
    assert result.code == 0, result.err
    return out.read_text(encoding="utf-8")


def with_msgstr(ws: Path, lines: str) -> tuple[Path, int]:
    """The exported PO file with the entry's ``msgstr ""`` replaced; and that line's number."""
    path = ws.parent / "en.po"
    text = export(ws, path)
    before, marker, after = text.rpartition('msgstr ""')
    assert marker
    path.write_text(before + lines + after, encoding="utf-8")
    return path, before.count("\n") + 1


def refused(ws: Path, path: Path) -> str:
    """Import ``path``: it must fail in one line, exit 2, nothing changed; the message."""
    before = snapshot_tree(ws)
    result = run_cli("--home", str(ws), "translations", "import", str(path))
    assert result.code == 2, (result.out, result.err)
    assert result.err.count("\n") == 1 and result.err.startswith("publisher: error: "), result.err
    assert "Traceback" not in result.err
    assert snapshot_tree(ws) == before
    return result.err


def imported_text(ws: Path) -> str | None:
    data = tomlkit.parse((ws / "drafts" / "news.toml").read_text(encoding="utf-8"))
    variant = data["variants"].get("en")
    return None if variant is None else str(variant["text"])


def test_unquoted_msgstr_is_refused_not_read_without_its_first_letter(ws: Path) -> None:
    path, line = with_msgstr(ws, 'msgstr Great news."')
    err = refused(ws, path)
    assert f"{path}:{line}:" in err and "quotes" in err


def test_unterminated_string_is_refused_not_read_without_its_last_letter(ws: Path) -> None:
    path, line = with_msgstr(ws, 'msgstr "Great news.')
    err = refused(ws, path)
    assert f"{path}:{line}:" in err and "not closed" in err


def test_a_second_string_or_text_after_the_quote_is_refused(ws: Path) -> None:
    for lines in ('msgstr "Great" "news."', 'msgstr "Great news." junk'):
        path, line = with_msgstr(ws, lines)
        assert f"{path}:{line}:" in refused(ws, path)


def test_unterminated_continuation_line_is_refused(ws: Path) -> None:
    path, line = with_msgstr(ws, 'msgstr ""\n"Great \n"news."')
    assert f"{path}:{line + 1}:" in refused(ws, path)


def test_unknown_escape_is_refused(ws: Path) -> None:
    """Babel keeps '\\q' as two characters; msgfmt reads '\\a' as a bell: neither is text."""
    path, line = with_msgstr(ws, 'msgstr "Great\\qnews."')
    err = refused(ws, path)
    assert f"{path}:{line}:" in err and "\\q" in err


def test_duplicate_entries_are_refused_naming_both_lines(ws: Path) -> None:
    path, line = with_msgstr(ws, 'msgstr "Great news."')
    text = path.read_text(encoding="utf-8")
    entry = text[text.rindex("#. title"):]
    path.write_text(text + "\n" + entry.replace("Great news.", "Bad news."), encoding="utf-8")
    second = text.count("\n") + 2 + entry.count("\n", 0, entry.index("msgctxt"))
    first = line - 2  # the msgctxt line
    err = refused(ws, path)
    assert f"{path}:{second}:" in err and f"line {first}" in err


def test_a_misspelled_fuzzy_flag_is_refused(ws: Path) -> None:
    """'#, fuzy' would otherwise import a translation the translator marked unfinished."""
    path, line = with_msgstr(ws, 'msgstr "Great news."')
    text = path.read_text(encoding="utf-8").replace("#. title: news", "#. title: news\n#, fuzy")
    path.write_text(text, encoding="utf-8")
    err = refused(ws, path)
    assert f"{path}:{line - 2}:" in err and "fuzy" in err


def test_an_entry_without_msgstr_is_refused(ws: Path) -> None:
    path, line = with_msgstr(ws, "")
    assert f"{path}:{line - 2}:" in refused(ws, path)  # names the entry (its msgctxt)


def test_obsolete_entries_are_checked_too_and_otherwise_ignored(ws: Path) -> None:
    path, _line = with_msgstr(ws, 'msgstr "Great news."')
    text = path.read_text(encoding="utf-8")
    path.write_text(text + '\n#~ msgctxt "old"\n#~ msgid "Old"\n#~ msgstr "Vjetër"\n',
                    encoding="utf-8")
    result = run_cli("--home", str(ws), "translations", "import", str(path))
    assert result.code == 0, result.err
    assert imported_text(ws) == "Great news."
    path.write_text(text + '\n#~ msgctxt "old"\n#~ msgid "Old\n#~ msgstr "Vjetër"\n',
                    encoding="utf-8")
    assert f"{path}:{text.count(chr(10)) + 3}:" in refused(ws, path)


def test_a_translation_over_the_text_limit_is_refused(ws: Path) -> None:
    path, line = with_msgstr(ws, f'msgstr "{"ab " * (MAX_TEXT_CHARS // 3 + 1)}"')
    err = refused(ws, path)
    assert f"{path}:{line}:" in err and f"{MAX_TEXT_CHARS}" in err


def test_a_file_over_the_size_limit_is_refused(ws: Path) -> None:
    path, _line = with_msgstr(ws, 'msgstr "Great news."')
    with path.open("a", encoding="utf-8") as handle:
        handle.write(("# padding" + " " * 1014 + "\n") * (MAX_FILE_BYTES // 1024 + 1))
    err = refused(ws, path)
    assert f"{MAX_FILE_BYTES // (1024 * 1024)} MiB" in err


def _run_in_child(ws: Path, argv: list[str], *, memory: int) -> subprocess.CompletedProcess:
    """``publisher`` in a child process that may use at most ``memory`` bytes."""
    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        [sys.executable, "-m", "publisher", "--home", str(ws), *argv],
        capture_output=True, text=True, timeout=60, preexec_fn=limit_memory, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _import_in_child(ws: Path, target: str, *, memory: int) -> subprocess.CompletedProcess:
    return _run_in_child(ws, ["translations", "import", target], memory=memory)


def test_dev_zero_is_refused_without_reading_it(ws: Path) -> None:
    done = _import_in_child(ws, "/dev/zero", memory=1 << 30)
    assert done.returncode == 2, done.stderr[-300:]
    assert "/dev/zero" in done.stderr and "not a regular file" in done.stderr


def test_a_fifo_is_refused_without_waiting_for_a_writer(ws: Path) -> None:
    fifo = ws.parent / "pipe.po"
    os.mkfifo(fifo)
    try:
        done = _import_in_child(ws, str(fifo), memory=1 << 30)
    except subprocess.TimeoutExpired:
        pytest.fail("import waited for a writer on a fifo")
    assert done.returncode == 2 and "not a regular file" in done.stderr


GOOD = [
    '#, fuzzy\n#| msgctxt "c"\n#| msgid "a"\n#| "b"\n#| msgid_plural "p"\n\nmsgid "x"\n'
    'msgstr "y"\n',
    '#|\n#|msgid "a"\nmsgctxt "c"\nmsgid "x"\nmsgstr "y"\n',
    'msgid ""\nmsgstr "Language: en\\n"\n',
    '# comment\n#. extracted\n#: ref.py:1\n#, fuzzy, no-c-format\n#| msgid "old"\n'
    'msgctxt "a"\nmsgid "x"\nmsgstr\t"y"\n"z"\n',
    'msgid "x"\nmsgid_plural "xs"\nmsgstr[0] "y"\nmsgstr[1] "ys"\n',
    'msgid "x"\nmsgstr "y"\n\n#~ msgid "x"\n#~ msgstr "old"\n#~| msgid "older"\n',
    'msgctxt "a"\nmsgid "x"\nmsgstr "1"\nmsgctxt "b"\nmsgid "x"\nmsgstr "2"',
    '\r\n# windows\r\nmsgid "x"\r\nmsgstr "y"\r\n',
]
BAD = [
    ('msgid "x"\nmsgstr "y"\nmsgstr "z"\n', 3, "msgstr without msgid"),
    ('msgctxt "a"\nmsgstr "y"\n', 2, "cannot follow msgctxt"),
    ('msgid "x"\nmsgid_plural "xs"\nmsgstr[1] "y"\n', 3, "expected msgstr[0]"),
    ('msgid "x"\n# note\nmsgstr "y"\n', 1, "no msgstr"),
    ('"stray"\nmsgid "x"\nmsgstr "y"\n', 1, "without a keyword"),
    ('msgid "x"\nmsgtsr "y"\n', 2, "unknown keyword 'msgtsr'"),
    ('msgid "x"\nmsgstr "y\\"\n', 2, "not closed"),
    ('msgid "x"\nmsgstr "\\x41"\n', 2, "unknown escape \\x"),
    ('#, fuzzy,\nmsgid "x"\nmsgstr "y"\n', 1, "unknown flag ''"),
    ('#-#-#-#-#  a.po  #-#-#-#-#\nmsgid "x"\nmsgstr "y"\n', 1, "conflict"),
    ('#~ msgid "x"\nmsgid "y"\nmsgstr "z"\n', 1, "no msgstr"),
    ('msgid "x"\nmsgstr "y"\n#~ "z"\n', 3, "without a keyword"),
    ('# a\rmsgid "x"\rmsgstr "y"\r', 1, "carriage return"),
    # The previous text (#|) as GNU msgfmt reads it: keywords in order, quoted, and
    # right before its entry (the fuzz suite found "#| Drafts to translate" imported).
    ('#| Drafts to translate\nmsgid "x"\nmsgstr "y"\n', 1, "a #| line holds"),
    ('#| msgid "a\\q"\nmsgid "x"\nmsgstr "y"\n', 1, "unknown escape"),
    ('#| "a"\nmsgid "x"\nmsgstr "y"\n', 1, "a #| line holds"),
    ('#| msgid_plural "a"\nmsgid "x"\nmsgstr "y"\n', 1, "#| msgid_plural cannot follow"),
    ('#| msgid "a"\n#| msgid "b"\nmsgid "x"\nmsgstr "y"\n', 2, "#| msgid cannot follow"),
    ('#| msgctxt "a"\nmsgid "x"\nmsgstr "y"\n', 1, "#| lines must end"),
    ('#| msgid "a"\n#, fuzzy\nmsgid "x"\nmsgstr "y"\n', 1, "#| lines must end"),
    ('#| msgid "a"\n#~ msgid "x"\n#~ msgstr "y"\n', 1, "#| lines must end"),
    ('msgid "x"\nmsgstr "y"\n#| msgid "a"\n', 3, "#| lines must end"),
    ('#| msgid\nmsgid "x"\nmsgstr "y"\n', 1, "double quotes"),
]


@pytest.mark.parametrize("text", GOOD)
def test_the_po_grammar_accepts(text: str) -> None:
    lines = po_lines(text, "f.po")
    catalog = read_po(lines, abort_invalid=True)
    assert len(lines) == text.count("\n") + 1
    assert len(list(catalog)) >= 1


@pytest.mark.parametrize(("text", "line", "message"), BAD)
def test_the_po_grammar_refuses(text: str, line: int, message: str) -> None:
    with pytest.raises(UserError) as caught:
        po_lines(text, "f.po")
    assert caught.value.where == f"f.po:{line}"
    assert message in caught.value.message


def test_a_plural_entry_is_refused_at_import(ws: Path) -> None:
    path, line = with_msgstr(ws, 'msgid_plural "More news."\nmsgstr[0] "a"\nmsgstr[1] "b"')
    assert f"{path}:{line - 1}:" in refused(ws, path)


# The workspace's own files and audience exports are read the same bounded way.

@pytest.mark.parametrize(("target", "argv"), [
    ("accounts.toml", ["accounts", "list"]),
    (None, ["audiences", "import", "kosovo", "/dev/zero", "--timezone", "Europe/Belgrade"]),
])
def test_dev_zero_as_accounts_file_or_audience_export_is_refused(
    ws: Path, target: str | None, argv: list[str]
) -> None:
    if target:
        (ws / target).unlink()
        (ws / target).symlink_to("/dev/zero")
    done = _run_in_child(ws, argv, memory=1 << 30)
    assert done.returncode == 2, done.stderr[-300:]
    assert "not a regular file" in done.stderr and "Traceback" not in done.stderr


def test_a_draft_file_over_the_size_limit_is_refused(ws: Path) -> None:
    with (ws / "drafts" / "huge.toml").open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    result = run_cli("--home", str(ws), "drafts", "validate")
    assert result.code == 2
    assert f"huge.toml: the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB" in result.err


# Property-based: what Babel writes round-trips; what is mutated is refused or read as written.

TRICKY = st.sampled_from(
    ['"', "\\", "\n", "\t", "\\n", '\\"', "Ђорђе", "ш", "ë", "👍🏽", "🇽🇰", " ", "  ", "%s", "#~",
     "msgstr ", '"\n"', "\r", "\u2028", "\x0b", "\x85", "a" * 80]
)
TEXT = st.lists(st.one_of(TRICKY, st.text(max_size=6)), min_size=1, max_size=12).map(
    lambda parts: normalized_text("".join(parts))
).filter(bool)


@dataclass
class Catalogued:
    home: Path
    po: Path
    translations: dict[str, str]
    data: bytes


def make_catalogue(folder: Path, pairs: list[tuple[str, str]]) -> Catalogued:
    home = folder / "ws"
    assert run_cli("init", str(home)).code == 0
    translations = {}
    for index, (source, translation) in enumerate(pairs):
        draft_id = f"d{index}"
        draft = {"source": "sq", "variants": {"sq": {"text": source}}}
        (home / "drafts" / f"{draft_id}.toml").write_text(tomlkit.dumps(draft), encoding="utf-8")
        translations[draft_id] = translation
    po = folder / "en.po"
    export(home, po)
    with po.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.context:
            message.string = translations[message.context.removesuffix("/text")]
    with po.open("wb") as handle:
        write_po(handle, catalog, width=76)
    return Catalogued(home, po, translations, po.read_bytes())


def variant_texts(home: Path) -> dict[str, str | None]:
    texts = {}
    for path in sorted((home / "drafts").glob("*.toml")):
        variant = tomlkit.parse(path.read_text(encoding="utf-8"))["variants"].get("en")
        texts[path.stem] = None if variant is None else str(variant["text"])
    return texts


PAIRS = st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=3)
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@SETTINGS
@given(pairs=PAIRS)
def test_every_catalog_babel_writes_round_trips_exactly(pairs: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        made = make_catalogue(Path(folder), pairs)
        result = run_cli("--home", str(made.home), "translations", "import", str(made.po))
        assert result.code == 0, result.err
        assert variant_texts(made.home) == made.translations


def reference_reading(data: bytes) -> dict[str, str] | None:
    """An independent reading of a (mutated) Babel-written file: each entry's non-fuzzy,
    non-empty msgstr by msgctxt, strings decoded as Python literals; None if malformed."""
    try:
        lines = data.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        return None
    entries: list[dict] = []
    current: dict | None = None
    keyword = None
    fuzzy = False
    for raw in lines:
        line = raw.strip()
        if not line or (line.startswith("#") and not line.startswith("#,")):
            continue
        if line.startswith("#,"):
            fuzzy = "fuzzy" in line
            continue
        word, _sep, rest = line.partition(" ")
        if line.startswith('"'):
            word, rest = None, line
        if word in ("msgctxt", "msgid") and (current is None or keyword == "msgstr"):
            current = {"fuzzy": fuzzy, "msgctxt": None, "msgid": "", "msgstr": ""}
            entries.append(current)
            fuzzy = False
        if word is not None:
            if word not in ("msgctxt", "msgid", "msgstr") or current is None:
                return None
            keyword = word
            current[keyword] = ""
        if current is None or not rest.startswith('"'):
            return None
        try:  # Python's reader refuses a raw NUL and reads a raw CR as a line end
            value = ast.literal_eval(rest.replace("\x00", "\\x00").replace("\r", "\\r"))
        except (SyntaxError, ValueError):
            return None
        if not isinstance(value, str):
            return None
        current[keyword] = (current[keyword] or "") + value
    keys = [(entry["msgctxt"], entry["msgid"]) for entry in entries]
    if len(set(keys)) != len(keys) or (entries and keyword != "msgstr"):
        return None
    # By draft id: the text's msgctxt is DRAFT/text.
    return {entry["msgctxt"].removesuffix("/text"):
            unicodedata.normalize("NFC", entry["msgstr"]).strip()
            for entry in entries
            if entry["msgctxt"] and entry["msgstr"].strip() and not entry["fuzzy"]}


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["drop a quote", "duplicate an entry", "cut"]))
    if kind == "drop a quote":
        quotes = [index for index, byte in enumerate(data) if byte == ord('"')]
        at = draw(st.sampled_from(quotes))
        return kind, data[:at] + data[at + 1:]
    if kind == "duplicate an entry":
        blocks = data.split(b"\n\n")
        entries = [block for block in blocks if b"\nmsgctxt " in b"\n" + block]
        entry = draw(st.sampled_from(entries))
        return kind, data.rstrip(b"\n") + b"\n\n" + entry + b"\n"
    return kind, data[: draw(st.integers(0, len(data) - 1))]


@SETTINGS
@given(pairs=PAIRS, data=st.data())
def test_a_mutated_file_is_refused_or_read_exactly_as_written(
    pairs: list[tuple[str, str]], data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        made = make_catalogue(Path(folder), pairs)
        kind, changed = data.draw(mutated(made.data))
        made.po.write_bytes(changed)
        before = snapshot_tree(made.home)
        old = variant_texts(made.home)
        result = run_cli("--home", str(made.home), "translations", "import", str(made.po))
        if result.code != 0:
            assert result.code == 2, result.err
            assert result.err.count("\n") == 1 and "Traceback" not in result.err
            assert snapshot_tree(made.home) == before
            return
        assert kind != "duplicate an entry"
        expected = reference_reading(changed)
        assert expected is not None, "a file the reference reading refuses was imported"
        assert variant_texts(made.home) == {**old, **expected}
