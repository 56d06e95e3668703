"""Campaign pack files: the deterministic zip, its safe reading, and putting an
imported pack's files in place (staged in the workspace, moved in at the end).

The format and its rules are in :mod:`publisher.domain.packs`.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import shutil
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit

from publisher.domain.drafts import Draft, parse_draft
from publisher.domain.errors import UserError
from publisher.domain.packs import (
    MANIFEST,
    MAX_ENTRIES,
    MAX_PACK_BYTES,
    Manifest,
    check_entry_name,
    parse_manifest,
    sha256_hex,
)
from publisher.i18n import _
from publisher.storage.atomic import sync_directory, write_new
from publisher.storage.bounded import decode_utf8, read_bounded
from publisher.storage.drafts import ConflictError, DraftStore
from publisher.storage.paths import leads_inside
from publisher.storage.tomlfile import LineIndex, parse_toml
from publisher.storage.workspace import Workspace

# Every entry gets the same time and mode: the same campaign gives the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_ENTRY_MODE = (stat.S_IFREG | 0o644) << 16
_UNIX = 3


def _not_ours() -> str:
    return _("only a pack exported by publisher can be imported")


def build_zip(entries: Mapping[str, bytes]) -> bytes:
    """A zip of ``entries`` (name -> bytes), sorted by name, with fixed times and modes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = _UNIX
            info.external_attr = _ENTRY_MODE
            archive.writestr(info, entries[name], compresslevel=9)
    return buffer.getvalue()


@dataclass(frozen=True)
class PackContents:
    manifest: Manifest
    drafts: Mapping[str, bytes]  # draft id -> the draft file's bytes
    files: Mapping[str, bytes]  # relative path -> bytes


def read_pack(path: Path, where: str) -> PackContents:
    """Every entry of the pack, checked before anything is written: a regular zip file
    within the size limit, only plain files with safe names, exactly the entries the
    manifest lists (and nothing inflating past the limit), each file as the manifest
    says (size and SHA-256)."""
    data = read_bounded(path, where, MAX_PACK_BYTES)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):  # ValueError: a damaged central directory
        raise UserError(_("not a zip file"), where=where, hint=_not_ours()) from None
    with archive:
        infos = _checked_entries(archive.infolist(), where)
        budget = _Budget(where)
        manifest = parse_manifest(_inflate(archive, infos[MANIFEST], budget, where),
                                  f"{where}:{MANIFEST}")
        expected = manifest.entries()
        for name in infos:
            if name not in expected:
                raise UserError(_("entry {name!r} is not in the manifest").format(name=name),
                                where=where, hint=_not_ours())
        for name in expected:
            if name not in infos:
                raise UserError(_("entry {name!r} is missing").format(name=name), where=where,
                                hint=_("the pack is damaged; export it again"))
        drafts = {d.id: _inflate(archive, infos[d.entry], budget, where)
                  for d in manifest.drafts}
        files = {}
        for file in manifest.files:
            content = _inflate(archive, infos[file.path], budget, where)
            if len(content) != file.size or sha256_hex(content) != file.sha256:
                raise UserError(_("{path} differs from the manifest").format(path=file.path),
                                where=where, hint=_("the pack is damaged; export it again"))
            files[file.path] = content
    return PackContents(manifest, drafts, files)


def _checked_entries(infos: Iterable[zipfile.ZipInfo], where: str) -> dict[str, zipfile.ZipInfo]:
    entries: dict[str, zipfile.ZipInfo] = {}
    declared = 0
    for info in infos:
        name = check_entry_name(info.filename, where)
        kind = stat.S_IFMT(info.external_attr >> 16)
        if info.is_dir() or kind not in (0, stat.S_IFREG):
            raise UserError(_("entry {name!r} is not a plain file (a link or a folder)").format(
                name=name), where=where, hint=_not_ours())
        if info.flag_bits & 0x1:
            raise UserError(_("entry {name!r} is encrypted").format(name=name), where=where,
                            hint=_not_ours())
        if name in entries:
            raise UserError(_("entry {name!r} is there twice").format(name=name), where=where,
                            hint=_not_ours())
        entries[name] = info
        declared += info.file_size
        if len(entries) > MAX_ENTRIES or declared > MAX_PACK_BYTES:
            raise _too_large(where)
    if MANIFEST not in entries:
        raise UserError(_("no {name} in the pack").format(name=MANIFEST), where=where,
                        hint=_not_ours())
    return entries


@dataclass
class _Budget:
    """What may still be inflated: the declared sizes may lie, so real bytes count."""

    where: str
    left: int = MAX_PACK_BYTES


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget,
             where: str) -> bytes:
    try:
        with archive.open(info) as entry:
            content = entry.read(min(budget.left, info.file_size) + 1)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError):
        raise UserError(_("entry {name!r} cannot be read").format(name=info.filename),
                        where=where, hint=_("the pack is damaged; export it again")) from None
    if len(content) > info.file_size or len(content) > budget.left:
        raise _too_large(where)
    budget.left -= len(content)
    return content


def _too_large(where: str) -> UserError:
    return UserError(
        # Limits are large constants, never 1: a plural form would not help.
        _("the pack unpacks to more than {size} MiB or {limit} files, the most publisher "
          "takes").format(size=MAX_PACK_BYTES // (1024 * 1024), limit=MAX_ENTRIES),
        where=where, hint=_not_ours())


# Draft files in a pack


def parse_draft_bytes(draft_id: str, data: bytes, where: str,
                      known_accounts: Iterable[str] | None) -> Draft:
    """A draft file's bytes read exactly as ``drafts validate`` reads a draft file."""
    text = decode_utf8(data, where).replace("\r\n", "\n").replace("\r", "\n")
    return parse_draft(draft_id, parse_toml(text, where), where=where,
                       line_of=LineIndex(text), known_accounts=known_accounts)


def unapproved(data: bytes) -> bytes:
    """The draft file with ``approved = false``, the rest as it was (comments too)."""
    document = tomlkit.parse(data.decode("utf-8"))
    if document.get("approved") is not True:
        return data
    document["approved"] = False
    return tomlkit.dumps(document).encode("utf-8")


def with_accounts(data: bytes, ours: Mapping[str, str], where: str) -> bytes:
    """The draft file with each account of ``ours`` renamed to ours, the others (and
    their own texts) left out, and not approved."""
    document = tomlkit.parse(data.decode("utf-8"))
    named = [str(account) for account in document.get("accounts", [])]
    mapped = list(dict.fromkeys(ours[account] for account in named if account in ours))
    if "accounts" in document:
        document["accounts"] = mapped
    for locale, table in document.get("variants", {}).items():
        own = table.get("accounts")
        if own is None:
            continue
        texts = {str(key): own[key] for key in own}
        for key in texts:
            del own[key]
        for their_id, value in texts.items():
            if their_id not in ours:
                continue
            if ours[their_id] in own:
                raise UserError(
                    _("variants.{locale}.accounts: two accounts of the pack with their own "
                      "text map to {id}").format(locale=locale, id=ours[their_id]),
                    where=where, hint=_("map them to different accounts"))
            own.append(ours[their_id], value)
        if not own:
            del table["accounts"]
    if "approved" in document:
        document["approved"] = False
    return tomlkit.dumps(document).encode("utf-8")


# Putting an import in place


@dataclass
class Installation:
    """What an import writes: new drafts, drafts replaced (each with the digest of the
    file it replaces) and new files, all checked beforehand."""

    new_drafts: dict[str, bytes] = field(default_factory=dict)
    replaced_drafts: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    new_files: dict[str, bytes] = field(default_factory=dict)


def install(workspace: Workspace, store: DraftStore, plan: Installation,
            keep: Callable[[str, bytes], Path]) -> None:
    """Write every file to a temporary folder in the workspace, then, holding the drafts
    lock and after checking that nothing changed meanwhile, move them in: the files
    first (drafts name them), then the drafts. ``keep`` keeps a replaced draft's bytes."""
    with _staging(workspace) as staging:
        staged = {path: _stage(staging, path, data) for path, data in plan.new_files.items()}
        drafts = {draft_id: _stage(staging, f"drafts/{draft_id}.toml", data)
                  for draft_id, data in
                  [*plan.new_drafts.items(),
                   *((i, d) for i, (_digest, d) in plan.replaced_drafts.items())]}
        with store.writing():
            _check_unchanged(workspace, store, plan)
            for path, source in staged.items():
                _link_file(workspace, source, path)
            for draft_id in plan.new_drafts:
                _link(drafts[draft_id], store.path_of(draft_id))
            for draft_id in plan.replaced_drafts:
                keep(draft_id, store.current_bytes(draft_id))
                os.replace(drafts[draft_id], store.path_of(draft_id))
            sync_directory(store.folder)


def _check_unchanged(workspace: Workspace, store: DraftStore, plan: Installation) -> None:
    from publisher.storage.atomic import content_digest

    for draft_id in plan.new_drafts:
        if store.path_of(draft_id).exists():
            raise ConflictError(workspace.relative(store.path_of(draft_id)))
    for draft_id, (digest, _data) in plan.replaced_drafts.items():
        if content_digest(store.current_bytes(draft_id)) != digest:
            raise ConflictError(workspace.relative(store.path_of(draft_id)))
    for path in plan.new_files:
        if os.path.lexists(_check_folders(workspace, path)):
            raise ConflictError(path)


@contextlib.contextmanager
def _staging(workspace: Workspace) -> Iterator[Path]:
    folder = workspace.home / f".pack-import-{secrets.token_hex(6)}"
    folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _stage(staging: Path, relative: str, data: bytes) -> Path:
    path = staging.joinpath(*relative.split("/"))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_new(path, data)
    return path


def _check_folders(workspace: Workspace, relative: str) -> Path:
    """The target of a pack's file; refused when ``media/`` or a folder on the way to it
    leads out of the workspace's media/ folder (a link planted there)."""
    media = workspace.media_dir
    target = workspace.home.joinpath(*relative.split("/"))
    folders = [folder for folder in reversed(target.parents)
               if folder != media and folder.is_relative_to(media)]
    if not leads_inside(media, workspace.home) or not all(
            leads_inside(folder, media) for folder in folders):
        raise UserError(_("{path} leads out of the workspace's media/ folder").format(
            path=relative), where=str(workspace.home),
            hint=_("remove the link in media/, then import again"))
    return target


def _link_file(workspace: Workspace, source: Path, relative: str) -> None:
    target = _check_folders(workspace, relative)
    for folder in reversed(target.parents):
        if folder.is_relative_to(workspace.media_dir) and not folder.exists():
            folder.mkdir()
    _link(source, target)


def _link(source: Path, target: Path) -> None:
    """Put a complete staged file at ``target``, never over a file already there."""
    try:
        os.link(source, target, follow_symlinks=False)
    except FileExistsError:
        raise ConflictError(str(target)) from None
    except OSError:
        write_new(target, source.read_bytes())
    sync_directory(target.parent)
