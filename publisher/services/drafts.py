"""Draft use cases: list, show, create, validate, approve and cross-check drafts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from publisher.domain.consistency import Finding, compare_variants
from publisher.domain.drafts import Draft, TranslationState, make_skeleton
from publisher.domain.errors import UserError
from publisher.domain.locales import SUPPORTED
from publisher.i18n import _
from publisher.services.context import Context
from publisher.storage.drafts import LoadedDraft

if TYPE_CHECKING:
    import tomlkit

DEFAULT_LOCALES = ("sq", "en", "sr")
# The translation states a translator still has to deal with.
NEEDS_WORK = (TranslationState.MISSING, TranslationState.STALE)


def locales_of(context: Context, draft: Draft) -> list[str]:
    """The locales a draft must exist in: its source, then its accounts' locales.

    A draft without accounts yet is expected in the three usual locales.
    """
    needed = draft.locales_needed(context.account_locales())
    if not draft.accounts:
        needed += [tag for tag in DEFAULT_LOCALES if tag not in needed]
    needed += [tag for tag in draft.variants if tag not in needed and draft.variants[tag].text]
    return sorted(needed, key=lambda tag: (tag != draft.source, SUPPORTED.index(tag)))


@dataclass(frozen=True)
class DraftSummary:
    loaded: LoadedDraft
    states: dict[str, TranslationState]

    @property
    def draft(self) -> Draft:
        return self.loaded.draft


def summarize(context: Context, loaded: LoadedDraft) -> DraftSummary:
    draft = loaded.draft
    return DraftSummary(loaded, {tag: draft.state(tag) for tag in locales_of(context, draft)})


def list_drafts(context: Context) -> tuple[list[DraftSummary], list[UserError]]:
    loaded, errors = context.drafts.load_all()
    return [summarize(context, item) for item in loaded], errors


def new_draft(context: Context, draft_id: str, source: str | None, title: str = "") -> str:
    draft = make_skeleton(draft_id, source or context.settings.source_locale, title)
    path = context.drafts.create(draft)
    return context.workspace.relative(path)


def validate_drafts(context: Context) -> tuple[list[LoadedDraft], list[UserError]]:
    """Load every draft and check what loading cannot: that its images are files in media/."""
    loaded, errors = context.drafts.load_all()
    good = []
    for item in loaded:
        problem = _media_problem(context, item)
        if problem:
            errors.append(problem)
        else:
            good.append(item)
    return good, errors


def _media_problem(context: Context, item: LoadedDraft) -> UserError | None:
    where = context.workspace.relative(item.path)
    for media in item.draft.media:
        try:
            context.workspace.media_file(media.file, where)
        except UserError as error:
            return error
    return None


def approve(context: Context, draft_id: str) -> tuple[LoadedDraft, list[str]]:
    """Mark a draft approved; returns warnings about missing or stale locales.

    The checks and the write are one step against other writers: what is approved
    is exactly the file that was checked.
    """
    where = context.drafts.where(context.drafts.path_of(draft_id))
    warnings: list[str] = []

    def approve_it(document: tomlkit.TOMLDocument, draft: Draft) -> None:
        _check_approvable(draft, where)
        warnings.extend(
            _("{locale} is {state}").format(locale=tag, state=_(draft.state(tag).value))
            for tag in locales_of(context, draft)
            if draft.state(tag) in NEEDS_WORK
        )
        document["approved"] = True

    updated = context.drafts.rewrite(draft_id, expected_digest=None, change=approve_it)
    return updated, warnings


def _check_approvable(draft: Draft, where: str) -> None:
    if not draft.source_text:
        raise UserError(
            _("the source text ({locale}) is empty").format(locale=draft.source),
            where=where,
            hint=_("write it before approving"),
        )
    if not draft.accounts:
        raise UserError(
            _("the draft has no accounts"),
            where=where,
            hint=_('add accounts = ["..."] before approving'),
        )


def check_consistency(context: Context, draft: Draft) -> list[Finding]:
    """What one variant has (URL, number, date, mention, campaign tag) and another lacks."""
    texts = {}
    for tag in locales_of(context, draft):
        variant = draft.variant(tag)
        if variant is not None:
            texts[tag] = variant.text
    campaign = [draft.campaign] if draft.campaign else []
    return compare_variants(texts, campaign_hashtags=campaign)
