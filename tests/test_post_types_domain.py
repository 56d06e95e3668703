"""Threads, first comments, own texts and options in the draft file: parsing,
fingerprints, derivation, and writing them back with the file's comments kept."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import tomlkit
from hypothesis import given
from hypothesis import strategies as st

from publisher.domain.drafts import TranslationState, parse_draft
from publisher.domain.errors import UserError
from publisher.domain.locales import fingerprint, normalized_text
from publisher.domain.posttypes import PostOptions, parts_fingerprint, unsupported_options
from publisher.storage.drafts import AccountTextEdit, VariantEdit, set_account_text, set_variant

THREAD_DRAFT = '''# A statement in three parts.
title = "Statement"
source = "sq"
accounts = ["mfa-x", "mfa-fb"]
link_card = false

[options]   # Mastodon and Telegram only
visibility = "unlisted"
silent = true

[variants.sq]
text = "Pjesa e parë."
thread = ["Pjesa e dytë.", "Pjesa e tretë."]   # replies, in order
first_comment = "Lidhjet: https://mfa-ks.net"
content_warning = "Politikë"

[variants.sq.accounts.mfa-x]   # shorter for X
text = "Shkurt."

[variants.sr]
text = "Први део."
thread = ["Други део.", "Трећи део."]
'''


def parse(text: str, accounts=("mfa-x", "mfa-fb")):
    return parse_draft("statement", tomllib.loads(text), where="drafts/statement.toml",
                       known_accounts=accounts)


def test_every_new_key_is_read() -> None:
    draft = parse(THREAD_DRAFT)
    source = draft.variants["sq"]
    assert source.thread == ("Pjesa e dytë.", "Pjesa e tretë.")
    assert source.first_comment == "Lidhjet: https://mfa-ks.net"
    assert source.content_warning == "Politikë"
    assert source.accounts["mfa-x"].text == "Shkurt."
    assert draft.options == PostOptions("unlisted", silent=True, pin=False)
    assert draft.link_card is False
    assert parse('source = "sq"\n').link_card is True


def test_a_lone_text_keeps_its_old_fingerprint() -> None:
    # Drafts written before threads existed must not all turn stale.
    assert parts_fingerprint("Tekst") == fingerprint("Tekst")
    draft = parse('source = "sq"\n[variants.sq]\ntext = "Tekst"\n')
    assert draft.source_fingerprint == fingerprint("Tekst")


def test_a_changed_thread_part_makes_translations_stale() -> None:
    draft = parse(THREAD_DRAFT)
    translated = THREAD_DRAFT.replace(
        'thread = ["Други део.", "Трећи део."]',
        f'thread = ["Други део.", "Трећи део."]\nfrom_source = "{draft.source_fingerprint}"')
    assert parse(translated).state("sr") == TranslationState.TRANSLATED
    edited = translated.replace("Pjesa e tretë.", "Pjesa e tretë, ndryshuar.")
    assert parse(edited).state("sr") == TranslationState.STALE
    assert parse(edited).state("sq") == TranslationState.TRANSLATED


def test_serbian_latin_derives_every_part() -> None:
    draft = parse(THREAD_DRAFT.replace('text = "Први део."', 'text = "Први део."\n'
                                       'first_comment = "Везе"'))
    latin = draft.variant("sr-Latn")
    assert latin is not None and latin.derived
    assert latin.text == "Prvi deo."
    assert latin.thread == ("Drugi deo.", "Treći deo.")
    assert latin.first_comment == "Veze"


def test_an_own_text_has_its_own_state() -> None:
    draft_text = THREAD_DRAFT + '\n[variants.sr.accounts.mfa-x]\ntext = "Кратко."\n'
    draft = parse(draft_text)
    # Translated from the source locale's own text for that account.
    origin = draft.own_source_fingerprint("mfa-x")
    assert origin == fingerprint("Shkurt.")
    stamped_text = draft_text + f'from_source = "{origin}"\n'
    assert parse(stamped_text).own_state("sr", "mfa-x") == TranslationState.TRANSLATED
    changed = stamped_text.replace("Shkurt.", "Më shkurt.")
    assert parse(changed).own_state("sr", "mfa-x") == TranslationState.STALE
    assert parse(changed).own_state("sr", "mfa-fb") == TranslationState.MISSING
    assert parse(changed).own_text("sr-Latn", "mfa-x").text == "Kratko."


@pytest.mark.parametrize(("snippet", "named"), [
    ('[variants.sq]\ntext = "a"\nthread = "b"\n', "variants.sq.thread"),
    ('[variants.sq]\ntext = "a"\nthread = ["b", "  "]\n', "variants.sq.thread"),
    ('[variants.sq]\ntext = ""\nthread = ["b"]\n', "variants.sq.text"),
    ('[variants.sq]\ntext = "a"\nfirst_coment = "b"\n', "variants.sq.first_coment"),
    ('[variants.sq.accounts.other]\ntext = "a"\n', "variants.sq.accounts.other"),
    ('[variants.sq.accounts.mfa-x]\nthread = ["a"]\n', "variants.sq.accounts.mfa-x.text"),
    ('[options]\nvisibility = "secret"\n', "options.visibility"),
    ('[options]\npinned = true\n', "options.pinned"),
    ('link_card = "yes"\n', "link_card"),
    ('[variants.sq]\ntext = "a"\nthread = [' + ', '.join(['"p"'] * 25) + ']\n',
     "variants.sq.thread"),
])
def test_bad_keys_are_one_clear_error(snippet: str, named: str) -> None:
    text = 'source = "sq"\naccounts = ["mfa-x"]\n'
    if not snippet.startswith("["):
        text = snippet + text
    else:
        text += snippet
    with pytest.raises(UserError) as caught:
        parse(text)
    assert caught.value.message.startswith(named + ":")


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
values = st.one_of(texts, st.booleans(), st.integers(), st.lists(texts, max_size=4),
                   st.lists(st.integers(), max_size=2))


@given(text=texts, thread=st.one_of(values, st.lists(texts, max_size=30)),
       comment=values, warning=values, own=st.dictionaries(
           st.sampled_from(["mfa-x", "zz"]), st.dictionaries(
               st.sampled_from(["text", "thread", "first_comment", "x"]), values, max_size=3),
           max_size=2),
       options=st.dictionaries(st.sampled_from(["visibility", "silent", "pin", "x"]),
                               values, max_size=3))
def test_any_table_is_a_draft_or_one_user_error(text, thread, comment, warning, own,
                                                 options) -> None:
    variant = {"text": text, "thread": thread, "first_comment": comment,
               "content_warning": warning, "accounts": own}
    data = {"source": "sq", "accounts": ["mfa-x"], "options": options,
            "variants": {"sq": variant}}
    try:
        draft = parse_draft("d", data, where="d.toml", known_accounts=["mfa-x"])
    except UserError as error:
        assert error.message and "\n" not in error.where
        return
    parsed = draft.variants["sq"]
    assert all(part for part in parsed.thread)
    assert len(parsed.fingerprint) == 8


@given(thread=st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                               max_size=20).filter(str.strip), max_size=5),
       comment=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20))
def test_written_parts_read_back_with_comments_kept(thread, comment) -> None:
    document = tomlkit.parse(THREAD_DRAFT)
    set_variant(document, "en", VariantEdit("First.", "abcdef01", tuple(thread), comment))
    set_account_text(document, "en", "mfa-x", AccountTextEdit("Short.", tuple(thread[:1])))
    text = tomlkit.dumps(document)
    assert "# replies, in order" in text and "# shorter for X" in text
    draft = parse(text)
    english = draft.variants["en"]
    assert english.thread == tuple(normalized_text(part) for part in thread)
    assert english.first_comment == normalized_text(comment)
    assert english.accounts["mfa-x"].thread == tuple(normalized_text(p) for p in thread[:1])


def test_edits_remove_parts_and_own_texts(tmp_path: Path) -> None:
    document = tomlkit.parse(THREAD_DRAFT)
    set_variant(document, "sq", VariantEdit("Vetëm.", thread=(), first_comment=""))
    set_account_text(document, "sq", "mfa-x", None)
    draft = parse(tomlkit.dumps(document))
    assert draft.variants["sq"].thread == () and draft.variants["sq"].first_comment == ""
    assert draft.variants["sq"].content_warning == "Politikë"  # None keeps it
    assert draft.variants["sq"].accounts == {}
    assert "# A statement in three parts." in tomlkit.dumps(document)


def test_unsupported_options_are_named() -> None:
    options = PostOptions("unlisted", silent=True, pin=True)
    assert unsupported_options("mastodon", options, "cw") == ["silent", "pin"]
    assert unsupported_options("telegram", options, "cw") == ["visibility", "content_warning"]
    assert unsupported_options("outbox", options, "cw") == []
    assert unsupported_options("x", PostOptions()) == []


# The queue: parts are items, chained; a queue of schema 3 reads as single posts


def test_a_schema_3_queue_is_upgraded_and_its_items_are_single_posts(tmp_path: Path) -> None:
    import sqlite3
    from datetime import UTC, datetime

    from publisher.storage.queue import MIGRATIONS, SCHEMA_VERSION, Queue, _statements

    path = tmp_path / "queue.sqlite3"
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:3]:
        for statement in _statements(script):
            db.execute(statement)
    db.execute("PRAGMA user_version = 3")
    db.execute(
        "INSERT INTO items (draft_id, account_id, platform, locales, text, content_hash, due_at,"
        " state, idempotency_key, created_at, updated_at) VALUES ('d', 'a', 'outbox', '[\"sq\"]',"
        " 'tekst', 'h', '2026-12-01T08:00:00.000000Z', 'queued', 'k0',"
        " '2026-12-01T08:00:00.000000Z', '2026-12-01T08:00:00.000000Z')")
    db.commit()
    db.close()
    with Queue(path) as queue:
        assert queue.schema_version == SCHEMA_VERSION
        (old,) = queue.items()
        assert (old.part_kind, old.chain_of, old.after, old.part_no) == ("post", None, None, 1)
        assert not old.is_part and old.options == PostOptions()
        assert old.card is None and old.link_previews
        now = datetime(2026, 12, 1, 8, tzinfo=UTC)
        from publisher.domain.posttypes import PartKind
        from publisher.storage.queue import NewItem

        parts = [NewItem("d", "a", "outbox", ("sq",), text, "h", now, f"k{n}", part_kind=kind,
                         part_no=n, thread_parts=2, options=PostOptions(silent=True))
                 for n, (kind, text) in enumerate(
                     [(PartKind.POST, "a"), (PartKind.REPLY, "b"), (PartKind.COMMENT, "c")],
                     start=1)]
        first, second, third = queue.add(parts, now=now, actor="test")
        chain = [queue.get(first), queue.get(second), queue.get(third)]
        assert [(i.chain_of, i.after) for i in chain] == [
            (None, None), (first, first), (first, second)]
        assert [i.id for i in queue.later_parts(chain[0])] == [second, third]
        assert chain[2].options.silent and chain[0].is_part


def test_a_schema_4_queue_gains_link_cards_and_keeps_its_chains(tmp_path: Path) -> None:
    """Schema 5 (link cards) after 4 (parts): a chain queued before keeps its parts and
    their reply refs, shows no card, and lets platforms build their own previews."""
    import sqlite3
    from datetime import UTC, datetime

    from publisher.storage.queue import (
        MIGRATIONS,
        SCHEMA_VERSION,
        CardSnapshot,
        NewItem,
        Queue,
        _statements,
    )

    path = tmp_path / "queue.sqlite3"
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:4]:
        for statement in _statements(script):
            db.execute(statement)
    db.execute("PRAGMA user_version = 4")
    stamp = "'2026-12-01T08:00:00.000000Z'"
    for item_id, kind, chain_of, after, number, ref in [
            (1, "post", "NULL", "NULL", 1, "'bafyreifirst'"), (2, "reply", 1, 1, 2, "NULL")]:
        db.execute(
            "INSERT INTO items (id, draft_id, account_id, platform, locales, text, content_hash,"
            " due_at, state, idempotency_key, created_at, updated_at, part_kind, chain_of,"
            " after, part_no, thread_parts, ref) VALUES"
            f" ({item_id}, 'd', 'a', 'bluesky', '[\"sq\"]', 'pjesa {number}', 'h', {stamp},"
            f" 'queued', 'k{item_id}', {stamp}, {stamp}, '{kind}', {chain_of}, {after},"
            f" {number}, 2, {ref})")
    db.commit()
    db.close()
    with Queue(path) as queue:
        assert queue.schema_version == SCHEMA_VERSION
        first, reply = queue.items()
        assert [(i.part_kind, i.chain_of, i.after, i.part_no) for i in (first, reply)] == [
            ("post", None, None, 1), ("reply", 1, 1, 2)]
        assert first.ref == "bafyreifirst" and [i.id for i in queue.later_parts(first)] == [2]
        assert all(i.card is None and i.link_previews for i in (first, reply))
        card = CardSnapshot("https://mfa.example/lajm", "Lajm", "Përshkrim", "cards/ab.png",
                            "ab" * 32, 600, 315)
        now = datetime(2026, 12, 1, 8, tzinfo=UTC)
        (new_id,) = queue.add([NewItem("d2", "a", "bluesky", ("sq",), "tekst", "h2", now, "k3",
                                       card=card, link_previews=False)],
                              now=now, actor="test")
        new = queue.get(new_id)
        assert new is not None and new.card == card and not new.link_previews


# Splitting an over-long text into a thread (the editor offers it)

words = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
                min_size=1, max_size=12)
prose = st.lists(st.tuples(words, st.sampled_from(["", ".", "!", "?", "…", ".“", ","]),
                           st.sampled_from([" ", "  ", "\n", "\n\n"])),
                 max_size=40).map(lambda items: "".join(w + p + s for w, p, s in items))


@given(text=prose, limit=st.integers(min_value=1, max_value=60))
def test_a_split_loses_nothing_and_every_part_fits(text: str, limit: int) -> None:
    from publisher.domain.posttypes import split_into_thread

    def fits(part: str) -> bool:
        return len(part) <= limit

    parts = split_into_thread(text, fits)
    # Nothing lost, nothing added (a word longer than a post is cut in slices).
    assert "".join("".join(parts).split()) == "".join(text.split())
    assert all(part and part == part.strip() for part in parts)
    assert all(fits(part) for part in parts)


def test_a_split_cuts_at_sentence_ends_first() -> None:
    from publisher.domain.posttypes import split_into_thread
    from publisher.domain.textrules import count_text

    text = ("Ministria e Punëve të Jashtme njofton qytetarët. " * 4).strip()
    parts = split_into_thread(text, lambda part: not count_text("x", part).problems)
    assert all(part.endswith(".") for part in parts)
    assert split_into_thread("Shkurt.", lambda part: True) == ["Shkurt."]
    assert split_into_thread("  ", lambda part: True) == []


def test_a_translation_of_the_text_alone_is_current_only_without_other_parts() -> None:
    # The editor and the PO file see the text alone: a translation saved from them must
    # not claim that the thread was translated too.
    from publisher.storage.drafts import translation_edit

    for source_extra, expected in (("", TranslationState.TRANSLATED),
                                   ('thread = ["Pjesa e dytë."]\n', TranslationState.STALE)):
        text = f'source = "sq"\n[variants.sq]\ntext = "Tekst"\n{source_extra}'
        document = tomlkit.parse(text)
        set_variant(document, "en", translation_edit(parse(text, ()), "Text"))
        assert parse(tomlkit.dumps(document), ()).state("en") == expected
