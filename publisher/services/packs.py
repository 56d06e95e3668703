"""Campaign packs for partner ministries: export a campaign's drafts and files, import
them into another workspace with its own accounts (see publisher.domain.packs)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from publisher.domain.drafts import Draft
from publisher.domain.errors import UserError
from publisher.domain.locales import SUPPORTED
from publisher.domain.packs import (
    MANIFEST,
    MAX_PACK_BYTES,
    Manifest,
    PackAccount,
    PackDraft,
    PackFile,
    SuggestedWindows,
    content_fingerprint,
    draft_entry,
    map_accounts,
    referenced_files,
    same_campaign,
    sha256_hex,
)
from publisher.i18n import _
from publisher.services.context import Context
from publisher.storage.atomic import content_digest
from publisher.storage.bounded import read_bounded
from publisher.storage.kept import keep
from publisher.storage.packs import (
    Installation,
    build_zip,
    install,
    parse_draft_bytes,
    read_pack,
    unapproved,
    with_accounts,
)


@dataclass(frozen=True)
class Exported:
    campaign: str
    drafts: tuple[str, ...]
    files: tuple[str, ...]
    size: int


def pack_bytes(context: Context, campaign: str) -> tuple[Manifest, bytes]:
    """The pack of a campaign: its manifest and the zip's bytes (the same campaign,
    the same bytes)."""
    drafts = _campaign_drafts(context, campaign)
    entries: dict[str, bytes] = {}
    pack_drafts: list[PackDraft] = []
    used: set[str] = set()
    for draft_id, data in drafts.items():
        where = context.workspace.relative(context.drafts.path_of(draft_id))
        data = unapproved(data)
        draft = parse_draft_bytes(draft_id, data, where, context.accounts)
        for relative in referenced_files(draft):
            if relative not in entries:
                real = context.workspace.media_file(relative, where)  # never outside media/
                entries[relative] = read_bounded(real, relative, MAX_PACK_BYTES)
        entries[draft_entry(draft_id)] = data
        used.update(draft.accounts)
        pack_drafts.append(PackDraft(draft_id, content_fingerprint(draft),
                                     referenced_files(draft)))
    files = tuple(PackFile(path, sha256_hex(data), len(data))
                  for path, data in entries.items() if not path.startswith("drafts/"))
    manifest = Manifest(
        campaign=_campaign_name(context, campaign),
        source_locale=context.settings.source_locale,
        locales=_workspace_locales(context),
        drafts=tuple(pack_drafts), files=files,
        accounts=tuple(_pack_account(context, account_id) for account_id in sorted(used)),
        windows=_suggested_windows(context, sorted(used)),
    )
    entries[MANIFEST] = manifest.to_bytes()
    return manifest, build_zip(entries)


class OutputExists(UserError):
    """The pack's file is there already (the front end says how to replace it)."""


class DraftsDiffer(UserError):
    """Drafts of the pack are here with other content; nothing was imported."""

    def __init__(self, ids: list[str], where: str):
        super().__init__(_("already here with other content (changed here or in the pack): "
                           "{ids}; nothing imported").format(ids=", ".join(ids)), where=where)
        self.ids = ids


def export_campaign(context: Context, campaign: str, out: Path, *, force: bool) -> Exported:
    """Write the campaign's pack to ``out``: refused when ``out`` exists (unless
    ``force``: OutputExists) or is one of the workspace's own files, nothing written
    then."""
    context.workspace.check_output_path(out)
    if (out.exists() or out.is_symlink()) and not force:
        raise OutputExists(_("the file exists"), where=str(out))
    manifest, data = pack_bytes(context, campaign)
    context.workspace.write_output(out, data)
    return Exported(manifest.campaign, tuple(sorted(d.id for d in manifest.drafts)),
                    tuple(sorted(f.path for f in manifest.files)), len(data))


def _campaign_drafts(context: Context, campaign: str) -> dict[str, bytes]:
    """Each draft of the campaign by id, with its file's bytes. A broken draft file
    stops the export: nobody can tell whether it belongs to the campaign."""
    loaded, errors = context.drafts.load_all()
    if errors:
        raise errors[0]
    chosen = {item.draft.id: context.drafts.current_bytes(item.draft.id)
              for item in loaded if same_campaign(campaign, item.draft.campaign)}
    if not chosen:
        known = sorted({item.draft.campaign for item in loaded if item.draft.campaign})
        raise UserError(_("no draft of campaign {name!r}").format(name=campaign),
                        hint=_("campaigns: {names}").format(names=", ".join(known) or
                                                            _("none yet")))
    return dict(sorted(chosen.items()))


def _campaign_name(context: Context, campaign: str) -> str:
    """The campaign as its drafts spell it (the first draft's spelling)."""
    loaded, _errors = context.drafts.load_all()
    spellings = sorted(item.draft.campaign for item in loaded
                       if item.draft.campaign and same_campaign(campaign, item.draft.campaign))
    return spellings[0] if spellings else campaign


def _workspace_locales(context: Context) -> tuple[str, ...]:
    tags = {context.settings.source_locale}
    for account in context.accounts.values():
        tags.update(account.locales)
    return tuple(tag for tag in SUPPORTED if tag in tags)


def _pack_account(context: Context, account_id: str) -> PackAccount:
    account = context.account(account_id)
    audience = account.audience if account.audience in context.audiences else None
    return PackAccount(account_id, account.imitates or account.platform, account.locales,
                       audience)


def _suggested_windows(context: Context, account_ids: list[str]) -> tuple[SuggestedWindows, ...]:
    """The windows of the audiences the accounts use (those the workspace defines; the
    default profile is the importer's too)."""
    names = sorted({account.audience for account_id in account_ids
                    if (account := context.account(account_id)).audience in context.audiences
                    and account.audience})
    return tuple(SuggestedWindows(name, context.audiences[name].timezone,
                                  tuple(window.spec() for window in
                                        context.audiences[name].windows))
                 for name in names)


# Import


@dataclass
class Imported:
    campaign: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    unmapped: tuple[PackAccount, ...] = ()
    windows: tuple[SuggestedWindows, ...] = ()
    kept: list[str] = field(default_factory=list)


def import_pack(context: Context, path: Path, *, maps: Mapping[str, str],
                accounts_for: Mapping[str, str], update: bool, now: datetime) -> Imported:
    """Import a pack: every entry and every draft file is read and checked (with the
    parser ``drafts validate`` uses) before anything is written; the drafts come in
    not approved, with the accounts mapped (the pack's accounts nobody mapped are left
    out, with their own texts), their translation states as they were. A draft already
    here with the same content is left alone; one with other content is refused unless
    ``update`` (then it is replaced, as it is when only its accounts differ, and the
    present file is kept in .publisher-kept/)."""
    where = str(path)
    pack = read_pack(path, where)
    manifest = pack.manifest
    theirs = [account.id for account in manifest.accounts]
    mapping = map_accounts(manifest, maps, accounts_for, context.accounts)
    report = Imported(manifest.campaign, unmapped=mapping.unmapped, windows=manifest.windows)
    plan = Installation()
    refused: list[str] = []
    for entry in sorted(manifest.drafts, key=lambda d: d.id):
        at = f"{where}:{entry.entry}"
        draft = parse_draft_bytes(entry.id, pack.drafts[entry.id], at, theirs)
        if content_fingerprint(draft) != entry.fingerprint:
            raise UserError(_("differs from the manifest's fingerprint"), where=at,
                            hint=_("the pack is damaged; export it again"))
        _check_files(draft, entry, at)
        data = with_accounts(pack.drafts[entry.id], mapping.ours, at)
        mapped = parse_draft_bytes(entry.id, data, at, context.accounts)
        _place_draft(context, entry.id, data, mapped, plan, report, refused, update)
    if refused:
        raise DraftsDiffer(refused, where)
    for relative, data in sorted(pack.files.items()):
        if _place_file(context, relative, data):
            plan.new_files[relative] = data
            report.files.append(relative)

    def keep_old(draft_id: str, data: bytes) -> Path:
        kept = keep(context.workspace, f"{draft_id}.toml", data, now)
        report.kept.append(context.workspace.relative(kept))
        return kept

    install(context.workspace, context.drafts, plan, keep_old)
    return report


def _check_files(draft: Draft, entry: PackDraft, where: str) -> None:
    for relative in referenced_files(draft):
        if relative not in entry.files:
            raise UserError(_("names {file}, which the manifest does not list for it").format(
                file=relative), where=where, hint=_("the pack is damaged; export it again"))


def _place_draft(context: Context, draft_id: str, data: bytes, mapped: Draft,
                 plan: Installation, report: Imported, refused: list[str],
                 update: bool) -> None:
    if draft_id not in context.drafts.ids():
        plan.new_drafts[draft_id] = data
        report.added.append(draft_id)
        return
    present = context.drafts.current_bytes(draft_id)
    local = context.drafts.load(draft_id).draft
    same = content_fingerprint(local) == content_fingerprint(mapped)
    if same and (not update or local.accounts == mapped.accounts):
        report.unchanged.append(draft_id)
    elif update:
        plan.replaced_drafts[draft_id] = (content_digest(present), data)
        report.updated.append(draft_id)
    else:
        refused.append(draft_id)


def _place_file(context: Context, relative: str, data: bytes) -> bool:
    """Whether the pack's file is to be written: not when the same bytes are here;
    refused when other bytes are (another draft here may show them)."""
    path = context.workspace.home / relative
    if not path.exists() and not path.is_symlink():
        return True
    real = context.workspace.media_file(relative, relative)
    if sha256_hex(read_bounded(real, relative, MAX_PACK_BYTES)) == sha256_hex(data):
        return False
    raise UserError(_("a different file of that name is here; nothing imported"),
                    where=context.workspace.relative(path),
                    hint=_("rename or move the file here (and the drafts naming it), "
                           "then import again"))
