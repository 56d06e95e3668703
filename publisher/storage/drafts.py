"""Draft files: ``<home>/drafts/<id>.toml``, one draft per file.

Reading uses :mod:`tomllib` (fast, exact errors); writing edits the file's own
tomlkit document so that people's comments, key order and layout survive.
Every write is atomic and refuses to overwrite a file that changed on disk
since it was read (compared by content hash): no lost edits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import tomlkit

from publisher.domain.drafts import Draft, check_draft_id, parse_draft
from publisher.domain.errors import UserError
from publisher.domain.locales import fingerprint
from publisher.i18n import _
from publisher.storage.atomic import content_digest, write_atomic
from publisher.storage.bounded import decode_utf8, read_bounded
from publisher.storage.tomlfile import LineIndex, parse_toml
from publisher.storage.workspace import Workspace


class ConflictError(UserError):
    """The file changed on disk since it was read; nothing was written."""


@dataclass(frozen=True)
class LoadedDraft:
    draft: Draft
    path: Path
    digest: str


@dataclass(frozen=True)
class VariantEdit:
    """A new text for one locale; ``from_source`` None keeps the stored one."""

    text: str
    from_source: str | None = None


class DraftStore:
    def __init__(self, workspace: Workspace, known_accounts: Iterable[str] | None = None):
        self.workspace = workspace
        self.folder = workspace.drafts_dir
        self.known_accounts = None if known_accounts is None else frozenset(known_accounts)

    def path_of(self, draft_id: str) -> Path:
        return self.folder / f"{draft_id}.toml"

    def where(self, path: Path) -> str:
        return self.workspace.relative(path)

    def ids(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(path.stem for path in self.folder.glob("*.toml"))

    def load(self, draft_id: str) -> LoadedDraft:
        check_draft_id(draft_id)
        path = self.path_of(draft_id)
        if not path.is_file():
            raise UserError(
                _("no draft {id!r}").format(id=draft_id),
                where=self.where(self.folder),
                hint=_("see 'publisher drafts list'"),
            )
        return self._load_path(path)

    def _load_path(self, path: Path) -> LoadedDraft:
        where = self.where(path)
        data_bytes = read_bounded(path, where)
        text = decode_utf8(data_bytes, where)
        parsed = parse_toml(text, where)
        draft = parse_draft(
            path.stem,
            parsed,
            where=where,
            line_of=LineIndex(text),
            known_accounts=self.known_accounts,
        )
        return LoadedDraft(draft, path, content_digest(data_bytes))

    def load_all(self) -> tuple[list[LoadedDraft], list[UserError]]:
        """Every draft that loads, and one error per draft that does not.

        A broken file never stops the others from being listed.
        """
        loaded: list[LoadedDraft] = []
        errors: list[UserError] = []
        for draft_id in self.ids():
            try:
                loaded.append(self.load(draft_id))
            except UserError as error:
                errors.append(error)
        return loaded, errors

    def create(self, draft: Draft) -> Path:
        path = self.path_of(draft.id)
        if path.exists():
            raise UserError(
                _("draft {id!r} exists").format(id=draft.id),
                where=self.where(path),
                hint=_("pick another id"),
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(path, skeleton_text(draft))
        return path

    def update(
        self,
        draft_id: str,
        *,
        expected_digest: str,
        approved: bool | None = None,
        variants: Mapping[str, VariantEdit] | None = None,
        alt_texts: Mapping[tuple[str, str], str] | None = None,
    ) -> LoadedDraft:
        """Change a draft's fields in place, keeping the rest of the file as it was.

        ``alt_texts`` maps (media file, locale) to an alt text. Raises
        :class:`ConflictError` if the file changed since ``expected_digest``.
        """
        path = self.path_of(draft_id)
        current = path.read_bytes()
        if content_digest(current) != expected_digest:
            raise ConflictError(
                _("changed on disk since it was read; nothing written"),
                where=self.where(path),
                hint=_("reload it and apply your change again"),
            )
        document = tomlkit.parse(current.decode("utf-8"))
        if approved is not None:
            document["approved"] = approved
        for locale, edit in (variants or {}).items():
            set_variant(document, locale, edit)
        for (file, locale), text in (alt_texts or {}).items():
            set_alt(document, file, locale, text, where=self.where(path))
        new_text = tomlkit.dumps(document)
        # Never write a file the tool itself could not read back.
        parse_draft(
            draft_id,
            parse_toml(new_text, self.where(path)),
            where=self.where(path),
            known_accounts=self.known_accounts,
        )
        write_atomic(path, new_text)
        return self._load_path(path)


def _multiline(text: str) -> tomlkit.items.String:
    # A multi-line TOML string reads "\r\n" back as "\n": such a text stays escaped.
    return tomlkit.string(text, multiline="\r" not in text)


# Editing a draft's TOML document in place (the caller writes it, e.g. with
# write_atomic after checking its digest): comments and key order survive.


def set_variant(document: tomlkit.TOMLDocument, locale: str, edit: VariantEdit) -> None:
    """Set ``[variants.<locale>] text`` (and ``from_source`` when the edit has one)."""
    if "variants" not in document:
        document.add("variants", tomlkit.table(is_super_table=True))
    variants = document["variants"]
    if locale not in variants:
        variants[locale] = tomlkit.table()
    table = variants[locale]
    table["text"] = _multiline(edit.text)
    if edit.from_source is not None:
        table["from_source"] = edit.from_source


def set_alt(
    document: tomlkit.TOMLDocument, file: str, locale: str, text: str, *, where: str
) -> None:
    """Set the alt text of the ``[[media]]`` entry of ``file`` in ``locale``; a file the
    draft has no media entry for is a UserError at ``where``."""
    for table in document.get("media", []):
        if table.get("file") == file:
            if "alt" not in table:
                table["alt"] = tomlkit.table()
            table["alt"][locale] = text
            return
    raise UserError(_("no media {file!r} in this draft").format(file=file), where=where)


def skeleton_text(draft: Draft) -> str:
    """The file ``drafts new`` writes: every field named, with a comment."""
    title = tomlkit.string(draft.title).as_string()
    return (
        f"# Draft {draft.id}. Edit freely; see README.md \"Draft file\".\n"
        f"title = {title}\n"
        f"# campaign = \"DigitalKosovo\"\n"
        f"source = \"{draft.source}\"\n"
        f"accounts = []                             # ids from accounts.toml\n"
        f"# not_before = 2026-11-28T08:00:00+01:00  # embargo (optional)\n"
        f"# deadline = 2026-11-28T22:00:00+01:00    # (optional)\n"
        f"approved = false\n"
        f"\n"
        f"[variants.{draft.source}]\n"
        f"text = \"\"\"\"\"\"\n"
    )


def translation_edit(draft: Draft, text: str) -> VariantEdit:
    """A variant edit recording the draft's current source as its origin."""
    return VariantEdit(text=text, from_source=fingerprint(draft.source_text))
