"""Campaign packs: a campaign's drafts and files, shared with a partner ministry.

A pack is a zip file: ``manifest.json`` (this module's :class:`Manifest`), one
``drafts/<id>.toml`` per draft (the file as written, approval removed) and every
file a draft references, at the same relative path (``media/flag.jpg``). It
carries no account settings, handles, secrets, queue state or approvals: only
the ids of the accounts the drafts name, with their platform and locales, so
that the importing workspace can map them to its own.

This module holds the format and its rules (pure: no zip, no files): the
manifest and its validation, the safe entry names, the content fingerprint
that tells an imported draft from a changed one, and the account mapping.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from publisher.domain.drafts import ID_PATTERN, Draft, check_draft_id, is_media_path
from publisher.domain.errors import UserError
from publisher.i18n import _

FORMAT = "publisher-campaign-pack"
VERSION = 1
MANIFEST = "manifest.json"
DRAFTS_FOLDER = "drafts"
# Refused beyond these, before anything is unpacked (a zip bomb declares small sizes
# and inflates to gigabytes: the reader counts what it really inflates too).
MAX_PACK_BYTES = 256 * 1024 * 1024
MAX_ENTRIES = 10_000
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ACCOUNT_ID = ID_PATTERN
_PLATFORM = re.compile(r"[a-z][a-z0-9-]*")


@dataclass(frozen=True)
class PackFile:
    """A file a draft references (an image; later a subtitle file), by relative path."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class PackDraft:
    id: str
    fingerprint: str
    files: tuple[str, ...] = ()

    @property
    def entry(self) -> str:
        return draft_entry(self.id)


@dataclass(frozen=True)
class PackAccount:
    """An account of the source workspace, as far as mapping it needs: no handle, no
    server, no secret."""

    id: str
    platform: str
    locales: tuple[str, ...] = ()
    audience: str | None = None


@dataclass(frozen=True)
class SuggestedWindows:
    """An audience's weekly windows in the source workspace, as a hint."""

    audience: str
    timezone: str
    windows: tuple[str, ...] = ()


@dataclass(frozen=True)
class Manifest:
    campaign: str
    source_locale: str
    locales: tuple[str, ...]
    drafts: tuple[PackDraft, ...]
    files: tuple[PackFile, ...] = ()
    accounts: tuple[PackAccount, ...] = ()
    windows: tuple[SuggestedWindows, ...] = ()

    def to_bytes(self) -> bytes:
        """The manifest's JSON, the same bytes for the same content."""
        data = {
            "format": FORMAT,
            "version": VERSION,
            "campaign": self.campaign,
            "languages": {"source": self.source_locale, "locales": list(self.locales)},
            "drafts": [{"id": d.id, "file": d.entry, "fingerprint": d.fingerprint,
                        "files": list(d.files)} for d in sorted(self.drafts, key=_by_id)],
            "files": [{"path": f.path, "sha256": f.sha256, "size": f.size}
                      for f in sorted(self.files, key=lambda f: f.path)],
            "accounts": {a.id: {"platform": a.platform, "locales": list(a.locales),
                                "audience": a.audience}
                         for a in sorted(self.accounts, key=_by_id)},
            "suggested_windows": {w.audience: {"timezone": w.timezone,
                                               "windows": list(w.windows)}
                                  for w in sorted(self.windows, key=lambda w: w.audience)},
        }
        return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()

    def entries(self) -> list[str]:
        """Every entry the pack must hold, the manifest included, sorted."""
        return sorted([MANIFEST, *(d.entry for d in self.drafts),
                       *(f.path for f in self.files)])

    def account(self, account_id: str) -> PackAccount | None:
        return next((a for a in self.accounts if a.id == account_id), None)


def _by_id(item: PackDraft | PackAccount) -> str:
    return item.id


def draft_entry(draft_id: str) -> str:
    return f"{DRAFTS_FOLDER}/{draft_id}.toml"


def referenced_files(draft: Draft) -> tuple[str, ...]:
    """Every file the draft names, by its relative path: its images and videos, and the
    videos' subtitle files."""
    return tuple(dict.fromkeys(file for media in draft.media
                               for file in (media.file, *media.subtitles.values())))


def content_fingerprint(draft: Draft) -> str:
    """What a draft says, whoever's accounts post it and whether it is approved.

    The texts (every part, the accounts' own texts without the account's name, each
    with its ``from_source``), the images and their alt texts, the times and
    options: the same draft imported with another account mapping, or approved
    since, has the same fingerprint; an edited text does not.
    """
    variants = {}
    for locale, variant in sorted(draft.variants.items()):
        own = sorted([own.text, list(own.thread), own.first_comment, own.from_source]
                     for own in variant.accounts.values())
        variants[locale] = [variant.text, list(variant.thread), variant.first_comment,
                            variant.content_warning, variant.from_source, own]
    content = {
        "title": draft.title,
        "campaign": draft.campaign,
        "source": draft.source,
        "not_before": draft.not_before.isoformat() if draft.not_before else None,
        "deadline": draft.deadline.isoformat() if draft.deadline else None,
        "template": draft.template,
        "link_card": draft.link_card,
        "options": [draft.options.visibility, draft.options.silent, draft.options.pin],
        "variants": variants,
        "media": [[m.file, sorted(m.alt.items()),
                   *([sorted(m.subtitles.items()), sorted(m.subtitles_from.items())]
                     if m.subtitles else [])]
                  for m in draft.media],
    }
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def same_campaign(name: str, campaign: str | None) -> bool:
    """Campaigns are hashtags: ``#DigitalKosovo`` and ``digitalkosovo`` are one."""
    return campaign is not None and campaign.casefold() == name.strip().lstrip("#").casefold()


# Reading a pack: every name and value is checked before anything is written.


def check_entry_name(name: str, where: str) -> str:
    """A zip entry's name that stays inside the folder it is unpacked into: relative,
    '/' between folders, no '..', no empty or hidden part, no NUL or backslash."""
    parts = name.split("/")
    bad = (not name or "\0" in name or "\\" in name or name.startswith("/")
           or ":" in parts[0] or any(part in ("", ".", "..") for part in parts))
    if bad:
        raise UserError(_("entry {name!r} leads out of the pack's folder").format(name=name),
                        where=where, hint=_("only a pack exported by publisher can be imported"))
    return name


def parse_manifest(data: bytes, where: str) -> Manifest:
    """The manifest of a pack, every field checked; UserError at ``where`` otherwise."""

    def fail(message: str) -> UserError:
        return UserError(_("manifest: {problem}").format(problem=message), where=where,
                         hint=_("only a pack exported by publisher can be imported"))

    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise fail(_("not JSON")) from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise fail(_("not a campaign pack"))
    if raw.get("version") != VERSION:
        raise fail(_("format version {version!r}; this publisher reads version {ours}").format(
            version=raw.get("version"), ours=VERSION))
    reader = _ManifestReader(fail)
    languages = reader.table(raw, "languages")
    files = tuple(reader.file(item) for item in reader.list(raw, "files"))
    paths = {f.path for f in files}
    if len(paths) != len(files):
        raise fail(_("a file is listed twice"))
    drafts = tuple(reader.draft(item, paths) for item in reader.list(raw, "drafts"))
    if len({d.id for d in drafts}) != len(drafts):
        raise fail(_("a draft is listed twice"))
    if not drafts:
        raise fail(_("no drafts"))
    accounts = tuple(reader.account(key, value)
                     for key, value in reader.table(raw, "accounts").items())
    windows = tuple(reader.windows(key, value)
                    for key, value in reader.table(raw, "suggested_windows").items())
    return Manifest(
        campaign=reader.text(raw, "campaign"),
        source_locale=reader.text(languages, "source"),
        locales=reader.texts(languages, "locales"),
        drafts=drafts, files=files, accounts=accounts, windows=windows,
    )


@dataclass
class _ManifestReader:
    error: Callable[[str], UserError]

    def table(self, raw: Mapping[str, object], key: str) -> Mapping[str, object]:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            raise self.error(_("{key} must be an object").format(key=key))
        return value

    def list(self, raw: Mapping[str, object], key: str) -> list[object]:
        value = raw.get(key, [])
        if not isinstance(value, list):
            raise self.error(_("{key} must be a list").format(key=key))
        return value

    def text(self, raw: Mapping[str, object], key: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str):
            raise self.error(_("{key} must be a text").format(key=key))
        return value

    def texts(self, raw: Mapping[str, object], key: str) -> tuple[str, ...]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(_("{key} must be a list of texts").format(key=key))
        return tuple(value)

    def file(self, item: object) -> PackFile:
        if not isinstance(item, dict):
            raise self.error(_("files must hold objects"))
        path, sha256, size = item.get("path"), item.get("sha256"), item.get("size")
        if not isinstance(path, str) or not is_media_path(path):
            raise self.error(_("file {path!r} is not under media/").format(path=path))
        check_entry_name(path, MANIFEST)
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
            raise self.error(_("file {path!r}: sha256 must be 64 hex digits").format(path=path))
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_PACK_BYTES:
            raise self.error(_("file {path!r}: size must be a whole number of bytes").format(
                path=path))
        return PackFile(path, sha256, size)

    def draft(self, item: object, paths: set[str]) -> PackDraft:
        if not isinstance(item, dict):
            raise self.error(_("drafts must hold objects"))
        draft_id = item.get("id")
        if not isinstance(draft_id, str) or not ID_PATTERN.fullmatch(draft_id):
            raise self.error(_("invalid draft id {id!r}").format(id=draft_id))
        check_draft_id(draft_id)
        if item.get("file", draft_entry(draft_id)) != draft_entry(draft_id):
            raise self.error(_("draft {id}: file must be {file}").format(
                id=draft_id, file=draft_entry(draft_id)))
        fingerprint = item.get("fingerprint")
        if not isinstance(fingerprint, str) or not _SHA256.fullmatch(fingerprint):
            raise self.error(_("draft {id}: fingerprint must be 64 hex digits").format(
                id=draft_id))
        files = self.texts(item, "files")
        for path in files:
            if path not in paths:
                raise self.error(_("draft {id}: file {path!r} is not in files").format(
                    id=draft_id, path=path))
        return PackDraft(draft_id, fingerprint, files)

    def account(self, account_id: str, value: object) -> PackAccount:
        if not _ACCOUNT_ID.fullmatch(account_id) or not isinstance(value, dict):
            raise self.error(_("invalid account {id!r}").format(id=account_id))
        platform = value.get("platform")
        if not isinstance(platform, str) or not _PLATFORM.fullmatch(platform):
            raise self.error(_("account {id}: invalid platform").format(id=account_id))
        audience = value.get("audience")
        if audience is not None and not isinstance(audience, str):
            raise self.error(_("account {id}: audience must be a text").format(id=account_id))
        return PackAccount(account_id, platform, self.texts(value, "locales"), audience)

    def windows(self, audience: str, value: object) -> SuggestedWindows:
        if not isinstance(value, dict):
            raise self.error(_("suggested_windows must hold objects"))
        return SuggestedWindows(audience, self.text(value, "timezone"),
                                self.texts(value, "windows"))


# Mapping the source workspace's accounts to ours.


def parse_pair(text: str, option: str, example: str = "theirs=ours") -> tuple[str, str]:
    """``LEFT=RIGHT`` of ``--map`` and ``--accounts-for``: two non-empty names, lower
    case letters, digits and dashes (account ids and platform names are)."""
    left, equals, right = text.partition("=")
    left, right = left.strip(), right.strip()
    if not equals or not ID_PATTERN.fullmatch(left) or not ID_PATTERN.fullmatch(right):
        raise UserError(_("{option} {text!r}: write it as THEIRS=OURS").format(
            option=option, text=text), hint=_("e.g. {option} {example}").format(
            option=option, example=example))
    return left, right


def pairs(values: Iterable[str], option: str, example: str = "theirs=ours") -> dict[str, str]:
    """Each ``--map`` (or ``--accounts-for``) given, by its left side; one left side
    given twice is refused."""
    result: dict[str, str] = {}
    for value in values:
        left, right = parse_pair(value, option, example)
        if left in result and result[left] != right:
            raise UserError(_("{option}: {name} is mapped twice").format(
                option=option, name=left), hint=_("give each one once"))
        result[left] = right
    return result


@dataclass(frozen=True)
class AccountMapping:
    """Which account of ours posts for each account of the pack; ``unmapped``: the
    pack's accounts nobody mapped (left out of the drafts)."""

    ours: Mapping[str, str]
    unmapped: tuple[PackAccount, ...]


def map_accounts(manifest: Manifest, maps: Mapping[str, str],
                 accounts_for: Mapping[str, str], local: Iterable[str]) -> AccountMapping:
    """``--map THEIRS=OURS`` first, then ``--accounts-for PLATFORM=OURS`` for the pack's
    accounts on that platform that no --map named."""
    known = frozenset(local)
    theirs = {account.id: account for account in manifest.accounts}
    for their_id in maps:
        if their_id not in theirs:
            raise UserError(_("the pack has no account {id!r} to map").format(id=their_id),
                            hint=_("its accounts: {ids}").format(
                                ids=", ".join(sorted(theirs)) or _("none")))
    platforms = {account.platform for account in theirs.values()}
    for platform in accounts_for:
        if platform not in platforms:
            raise UserError(
                _("no account of the pack is on {platform}").format(
                    platform=platform),
                hint=_("its platforms: {names}").format(names=", ".join(sorted(platforms))
                                                        or _("none")))
    for our_id in [*maps.values(), *accounts_for.values()]:
        if our_id not in known:
            raise UserError(_("unknown account {id!r}").format(id=our_id),
                            hint=_("known accounts: {known}").format(
                                known=", ".join(sorted(known)) or _("none yet")))
    ours: dict[str, str] = {}
    unmapped: list[PackAccount] = []
    for their_id, account in sorted(theirs.items()):
        target = maps.get(their_id) or accounts_for.get(account.platform)
        if target:
            ours[their_id] = target
        else:
            unmapped.append(account)
    return AccountMapping(ours, tuple(unmapped))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
