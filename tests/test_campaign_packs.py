"""Campaign packs: export a campaign from one workspace, import it into another.

Real workspaces on disk (the demo's, and fresh ones), real zip files, the CLI in
this process; every refusal is one line, exit 2, and leaves the workspace as it was.
"""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import run_cli, snapshot_tree
from hypothesis import given
from hypothesis import strategies as st

from publisher.domain.drafts import TranslationState
from publisher.domain.errors import UserError
from publisher.domain.packs import pairs, parse_pair
from publisher.domain.posttypes import parts_fingerprint
from publisher.services.context import open_context

NOW = "2026-11-27T00:00:00+01:00"
SOURCE_TEXT = "Kosova digjitale: e-shërbime për diasporën. #DigitalKosovo"
SOURCE_THREAD = ["Aplikoni në e-kosova.rks-gov.net"]

# A draft with every kind of content a pack must keep: a thread, a current and a
# stale translation, an account's own text, an image with alt texts.
PACKED_DRAFT = f'''# Written by the desk; the comment travels with the file.
title = "E-services for the diaspora"
campaign = "DigitalKosovo"
source = "sq"
accounts = ["mfa-x", "mfa-facebook"]
approved = true

[variants.sq]
text = """{SOURCE_TEXT}"""
thread = ["{SOURCE_THREAD[0]}"]

[variants.en]
text = "Digital Kosovo: e-services for the diaspora. #DigitalKosovo"
thread = ["Apply at e-kosova.rks-gov.net"]
from_source = "{parts_fingerprint(SOURCE_TEXT, SOURCE_THREAD)}"

[variants.en.accounts.mfa-x]
text = "E-services for the diaspora #DigitalKosovo"
from_source = "{parts_fingerprint(SOURCE_TEXT, SOURCE_THREAD)}"

[variants.sr]
text = "Дигитално Косово: е-услуге за дијаспору. #DigitalKosovo"
from_source = "deadbeef"

[[media]]
file = "media/kosovo-flag.png"
alt.sq = "Flamuri i Kosovës"
alt.en = "The flag of Kosovo"
'''


def cli(home: Path, *args: str):
    return run_cli("--home", str(home), *args)


def ok(home: Path, *args: str):
    result = cli(home, *args)
    assert result.code == 0, result.err
    return result


def refused(result) -> str:
    assert result.code == 2, (result.code, result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("publisher: error: "), result.err
    return lines[0]


@pytest.fixture
def source(demo: Path) -> Path:
    (demo / "drafts" / "eservices-diaspora.toml").write_text(PACKED_DRAFT, encoding="utf-8")
    return demo


@pytest.fixture
def pack(source: Path, tmp_path: Path) -> Path:
    out = tmp_path / "digital-kosovo.zip"
    ok(source, "campaign", "export", "DigitalKosovo", "--out", str(out))
    return out


def fresh_workspace(tmp_path: Path, name: str = "partner") -> Path:
    home = tmp_path / name
    assert run_cli("init", str(home)).code == 0
    for account_id, locales in (("partner-x", "en,sq"), ("partner-fb", "sq,en,sr"),
                                ("partner-tg", "sq,sr"), ("partner-social", "en")):
        ok(home, "accounts", "add", account_id, "--platform", "outbox", "--locales", locales)
    return home


MAPPING = ("--map", "mfa-x=partner-x", "--map", "mfa-facebook=partner-fb",
           "--accounts-for", "telegram=partner-tg", "--accounts-for", "mastodon=partner-social",
           "--accounts-for", "bluesky=partner-social")


def import_pack(home: Path, pack: Path, *args: str):
    return cli(home, "campaign", "import", str(pack), *args, "--now", NOW)


def states_of(draft) -> dict:
    """Each variant's and own text's translation state, approval aside."""
    unapproved = replace(draft, approved=False)
    states = {locale: unapproved.state(locale) for locale in draft.variants}
    for locale, variant in draft.variants.items():
        for account_id in variant.accounts:
            states[(locale, account_id)] = unapproved.own_state(locale, account_id)
    return states


def test_a_pack_round_trips_between_two_workspaces(source: Path, pack: Path,
                                                   tmp_path: Path) -> None:
    partner = fresh_workspace(tmp_path)
    result = import_pack(partner, pack, *MAPPING)
    assert result.code == 0, result.err
    assert result.err == ""  # every account mapped: no warning
    assert "Imported (not approved): digital-kosovo-eservices, eservices-diaspora" in result.out
    assert "Suggested windows of kosovo (Europe/Belgrade)" in result.out

    theirs = open_context(source).drafts
    ours = open_context(partner).drafts
    exported = sorted(d.draft.id for d in theirs.load_all()[0]
                      if d.draft.campaign == "DigitalKosovo")
    assert ours.ids() == exported
    renamed = {"mfa-x": "partner-x", "mfa-facebook": "partner-fb", "mfa-telegram": "partner-tg",
               "embassy-dc-mastodon": "partner-social",
               "embassy-berlin-bluesky": "partner-social"}
    for draft_id in exported:
        before, after = theirs.load(draft_id).draft, ours.load(draft_id).draft
        assert after.approved is False
        assert after.accounts == tuple(dict.fromkeys(renamed[a] for a in before.accounts))
        for locale, variant in before.variants.items():
            mine = after.variants[locale]
            assert (mine.text, mine.thread, mine.first_comment, mine.content_warning,
                    mine.from_source) == (variant.text, variant.thread, variant.first_comment,
                                          variant.content_warning, variant.from_source)
            assert {renamed[a]: (o.text, o.from_source) for a, o in variant.accounts.items()} \
                == {a: (o.text, o.from_source) for a, o in mine.accounts.items()}
        assert after.media == before.media  # files and alt texts
        for media in before.media:
            assert (partner / media.file).read_bytes() == (source / media.file).read_bytes()
        mapped_states = {(key if isinstance(key, str) else (key[0], renamed[key[1]])): state
                         for key, state in states_of(before).items()}
        assert states_of(after) == mapped_states
    # The stale translation stayed stale, the current one current.
    packed = ours.load("eservices-diaspora").draft
    assert packed.state("sr") == TranslationState.STALE
    assert packed.state("en") == TranslationState.TRANSLATED
    assert packed.own_state("en", "partner-x") == TranslationState.TRANSLATED
    # The comment of the file came with it.
    text = (partner / "drafts" / "eservices-diaspora.toml").read_text(encoding="utf-8")
    assert text.startswith("# Written by the desk")
    # Nothing staged is left behind.
    assert not [p for p in partner.iterdir() if p.name.startswith(".pack-import")]


def test_a_pack_carries_no_accounts_approvals_or_queue(source: Path, pack: Path) -> None:
    with zipfile.ZipFile(pack) as archive:
        names = archive.namelist()
        contents = {name: archive.read(name) for name in names}
    assert names == sorted(names)
    assert all(not name.startswith(("accounts", "publisher.toml", "queue", "journal"))
               for name in names)
    manifest = json.loads(contents["manifest.json"])
    assert manifest["format"] == "publisher-campaign-pack" and manifest["version"] == 1
    assert manifest["languages"]["source"] == "sq"
    assert set(manifest["accounts"]["mfa-x"]) == {"platform", "locales", "audience"}
    everything = b"".join(contents.values())
    assert b"@MFAKosovo" not in everything and b"handle" not in everything
    for name, data in contents.items():
        if name.startswith("drafts/"):
            assert b"approved = true" not in data


def test_the_same_campaign_gives_the_same_bytes(source: Path, pack: Path,
                                                tmp_path: Path) -> None:
    os.utime(source / "drafts" / "eservices-diaspora.toml", (1, 1))
    os.utime(source / "media" / "kosovo-flag.png", (2_000_000_000, 2_000_000_000))
    again = tmp_path / "again.zip"
    ok(source, "campaign", "export", "#digitalkosovo", "--out", str(again))
    assert again.read_bytes() == pack.read_bytes()
    with zipfile.ZipFile(again) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_imported_twice_does_not_duplicate(pack: Path, tmp_path: Path) -> None:
    partner = fresh_workspace(tmp_path)
    ok(partner, "campaign", "import", str(pack), *MAPPING, "--now", NOW)
    before = snapshot_tree(partner)
    result = import_pack(partner, pack, *MAPPING)
    assert result.code == 0, result.err
    assert "Already here, unchanged: digital-kosovo-eservices, eservices-diaspora" in result.out
    assert "Imported" not in result.out
    assert snapshot_tree(partner) == before


def test_a_changed_draft_is_refused_without_update(source: Path, pack: Path,
                                                   tmp_path: Path) -> None:
    partner = fresh_workspace(tmp_path)
    ok(partner, "campaign", "import", str(pack), *MAPPING, "--now", NOW)
    path = source / "drafts" / "eservices-diaspora.toml"
    path.write_text(PACKED_DRAFT.replace("e-services for the diaspora.",
                                         "e-services for everyone."), encoding="utf-8")
    changed = tmp_path / "changed.zip"
    ok(source, "campaign", "export", "DigitalKosovo", "--out", str(changed))
    before = snapshot_tree(partner)
    line = refused(import_pack(partner, changed, *MAPPING))
    assert "eservices-diaspora" in line and "--update" in line
    assert snapshot_tree(partner) == before

    result = import_pack(partner, changed, *MAPPING, "--update")
    assert result.code == 0, result.err
    assert "Updated (not approved): eservices-diaspora" in result.out
    assert "e-services for everyone." in (partner / "drafts" / "eservices-diaspora.toml"
                                          ).read_text(encoding="utf-8")
    kept = list((partner / ".publisher-kept").iterdir())
    assert len(kept) == 1 and "e-services for the diaspora." in kept[0].read_text("utf-8")


def test_unmapped_accounts_are_left_out_with_a_warning(pack: Path, tmp_path: Path) -> None:
    partner = fresh_workspace(tmp_path)
    result = import_pack(partner, pack, "--map", "mfa-facebook=partner-fb")
    assert result.code == 0, result.err
    assert result.err.startswith("publisher: warning: the pack's accounts ")
    assert "mfa-x (x)" in result.err and "mfa-telegram (telegram)" in result.err
    draft = open_context(partner).drafts.load("eservices-diaspora").draft
    assert draft.accounts == ("partner-fb",)
    assert draft.variants["en"].accounts == {}
    # Mapped later: --update brings the accounts and the own text in.
    result = import_pack(partner, pack, *MAPPING, "--update")
    assert result.code == 0, result.err
    draft = open_context(partner).drafts.load("eservices-diaspora").draft
    assert draft.accounts == ("partner-x", "partner-fb")
    assert set(draft.variants["en"].accounts) == {"partner-x"}


@pytest.mark.parametrize("args, words", [
    (("--map", "nobody=partner-x"), "the pack has no account 'nobody' to map"),
    (("--map", "mfa-x=nobody"), "unknown account 'nobody'"),
    (("--accounts-for", "myspace=partner-x"), "no account of the pack is on myspace"),
    (("--map", "mfa-x"), "--map 'mfa-x': write it as THEIRS=OURS"),
    (("--map", "mfa-x=partner-x", "--map", "mfa-x=partner-fb"), "mfa-x is mapped twice"),
])
def test_a_bad_mapping_is_one_line(pack: Path, tmp_path: Path, args, words) -> None:
    partner = fresh_workspace(tmp_path)
    before = snapshot_tree(partner)
    assert words in refused(import_pack(partner, pack, *args))
    assert snapshot_tree(partner) == before


def test_export_refusals(source: Path, pack: Path, tmp_path: Path) -> None:
    assert "no draft of campaign 'Nope'" in refused(
        cli(source, "campaign", "export", "Nope", "--out", str(tmp_path / "nope.zip")))
    assert not (tmp_path / "nope.zip").exists()
    before = pack.read_bytes()
    assert "the file exists" in refused(
        cli(source, "campaign", "export", "DigitalKosovo", "--out", str(pack)))
    assert pack.read_bytes() == before
    # A draft's image that leads out of the workspace.
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"not for the partner")
    (source / "media" / "kosovo-flag.png").unlink()
    (source / "media" / "kosovo-flag.png").symlink_to(outside)
    line = refused(cli(source, "campaign", "export", "DigitalKosovo", "--out", str(pack),
                       "--force"))
    assert "leads out of the workspace's media/ folder" in line
    assert pack.read_bytes() == before


def test_a_different_file_of_the_same_name_is_refused(pack: Path, tmp_path: Path) -> None:
    partner = fresh_workspace(tmp_path)
    (partner / "media" / "kosovo-flag.png").write_bytes(b"our own flag picture")
    before = snapshot_tree(partner)
    line = refused(import_pack(partner, pack, *MAPPING))
    assert "media/kosovo-flag.png" in line and "different file" in line
    assert snapshot_tree(partner) == before


# Unsafe packs: each refused before anything is written.


def rebuilt(pack: Path, out: Path, change) -> Path:
    """The pack's entries, changed by ``change(entries: dict[str, tuple[ZipInfo, bytes]])``."""
    with zipfile.ZipFile(pack) as archive:
        entries = {info.filename: (info, archive.read(info)) for info in archive.infolist()}
    change(entries)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (info, data) in entries.items():
            info.filename = name
            archive.writestr(info, data)
    return out


def extra(name: str, data: bytes = b"x", mode: int = stat.S_IFREG | 0o644):
    def change(entries: dict) -> None:
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = mode << 16
        entries[name] = (info, data)
    return change


def _bad_draft(entries: dict) -> None:
    info, _data = entries["drafts/eservices-diaspora.toml"]
    entries["drafts/eservices-diaspora.toml"] = (info, b'title = "x"\naproved = true\n')


def _wrong_media(entries: dict) -> None:
    info, _data = entries["media/kosovo-flag.png"]
    entries["media/kosovo-flag.png"] = (info, b"another picture")


@pytest.mark.parametrize("change, words", [
    (extra("/etc/cron.d/evil"), "leads out of the pack's folder"),
    (extra("../evil.toml"), "leads out of the pack's folder"),
    (extra("media/../../evil"), "leads out of the pack's folder"),
    (extra("media/link.png", b"/etc/passwd", stat.S_IFLNK | 0o777), "not a plain file"),
    (extra("media/unlisted.png"), "not in the manifest"),
    (extra("drafts/unlisted.toml", b'source = "sq"\n'), "not in the manifest"),
    (_bad_draft, "aproved: unknown field"),
    (_wrong_media, "differs from the manifest"),
])
def test_an_unsafe_pack_is_refused_with_nothing_written(pack: Path, tmp_path: Path,
                                                        change, words) -> None:
    partner = fresh_workspace(tmp_path)
    bad = rebuilt(pack, tmp_path / "bad.zip", change)
    before = snapshot_tree(partner)
    assert words in refused(import_pack(partner, bad, *MAPPING))
    assert snapshot_tree(partner) == before
    assert not [p for p in partner.iterdir() if p.name.startswith(".pack-import")]


def test_a_zip_bomb_is_refused(pack: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(pack) as source, zipfile.ZipFile(bomb, "w") as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        zeros = zipfile.ZipInfo("media/zeros.png")
        zeros.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(zeros, "w", force_zip64=True) as entry:
            block = bytes(16 * 1024 * 1024)
            for _ in range(17):  # 272 MiB, past the 256 MiB limit, in a few hundred KiB
                entry.write(block)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    partner = fresh_workspace(tmp_path)
    before = snapshot_tree(partner)
    assert "unpacks to more than 256 MiB" in refused(import_pack(partner, bomb, *MAPPING))
    assert snapshot_tree(partner) == before


def test_not_a_zip_is_one_line(tmp_path: Path) -> None:
    partner = fresh_workspace(tmp_path)
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really")
    assert "not a zip file" in refused(import_pack(partner, junk))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", '{"format": "something else"}')
    junk.write_bytes(buffer.getvalue())
    assert "not a campaign pack" in refused(import_pack(partner, junk))


# The --map parser


NAMES = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)


@given(NAMES, NAMES)
def test_a_pair_parses_back(left: str, right: str) -> None:
    assert parse_pair(f"{left}={right}", "--map") == (left, right)
    assert parse_pair(f" {left} = {right} ", "--map") == (left, right)


@given(st.text(max_size=40))
def test_any_text_is_a_pair_or_one_user_error(text: str) -> None:
    try:
        left, right = parse_pair(text, "--map")
    except UserError as error:
        assert "THEIRS=OURS" in error.message
    else:
        assert f"{left}={right}" == "=".join(part.strip() for part in text.split("=", 1))


@given(st.lists(st.tuples(NAMES, NAMES), max_size=6))
def test_pairs_refuses_only_a_name_mapped_two_ways(given_pairs) -> None:
    texts = [f"{left}={right}" for left, right in given_pairs]
    conflicting = any(a == c and b != d for a, b in given_pairs for c, d in given_pairs)
    try:
        result = pairs(texts, "--map")
    except UserError as error:
        assert conflicting and "mapped twice" in error.message
    else:
        assert not conflicting
        assert result == dict(given_pairs)
