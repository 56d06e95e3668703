"""Holding statements (crisis templates): list them, and make a draft from one, filled
with the day's values, then queue it or send it at once.

The new draft is the template's file with ``template = true`` taken out and every text
filled: comments, accounts, options and images stay. Only placeholders change, so it is
approved when the template was, and its translations are as current as the template's.
Every check (placeholders, values, what fits each account, the freeze) runs before the
file is written: a refusal leaves nothing behind. Who used which template with which
values goes into the journal, and the queued items' history names that person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import tomlkit

from publisher.domain.drafts import Draft, TranslationState, check_draft_id, free_id
from publisher.domain.errors import UserError
from publisher.domain.remedies import Fix, Remedy
from publisher.domain.templates import Values, draft_placeholders, fill_draft
from publisher.i18n import _
from publisher.services import approvals, queueing
from publisher.services.context import Context
from publisher.services.drafts import list_drafts
from publisher.services.link_cards import Warn
from publisher.services.queue_file import journal_of, open_queue
from publisher.storage.drafts import (
    AccountTextEdit,
    VariantEdit,
    set_account_text,
    set_alt,
    set_variant,
)
from publisher.storage.queue import FREEZE

# The journal's record of a ``crisis use`` (beside "published", "queue-created"...).
CRISIS_USE = "crisis-use"
READY = (TranslationState.TRANSLATED, TranslationState.APPROVED)


@dataclass(frozen=True)
class TemplateRow:
    """One holding statement as ``crisis list`` shows it."""

    id: str
    title: str
    placeholders: dict[str, tuple[str, ...]]  # name -> the locales whose texts hold it
    approved: bool
    states: dict[str, TranslationState]  # per locale it is needed in
    problem: str | None = None  # a stray brace: it cannot be used until fixed

    @property
    def translated(self) -> bool:
        return all(state in READY for state in self.states.values())


def list_templates(context: Context) -> tuple[list[TemplateRow], list[UserError]]:
    """Every holding statement, and the draft files that do not load."""
    summaries, errors = list_drafts(context)
    rows = []
    for summary in summaries:
        draft = summary.draft
        if not draft.template:
            continue
        found: dict[str, tuple[str, ...]] = {}
        problem = None
        try:
            found = draft_placeholders(draft, context.drafts.where(summary.loaded.path))
        except UserError as error:
            problem = str(error)
        rows.append(TemplateRow(draft.id, draft.title, found, draft.approved,
                                dict(summary.states), problem))
    return rows, errors


class FrozenError(UserError):
    """The freeze is on and the person did not let this statement through."""


@dataclass(frozen=True)
class Use:
    """What one ``crisis use`` made."""

    template: str
    draft_id: str
    path: str  # relative to the workspace
    approved: bool
    values: dict[str, str]
    by: str
    items: list[int]  # queued now (none when only the draft was made)


def use_template(
    context: Context,
    template_id: str,
    values: Values,
    *,
    by: str,
    now: datetime,
    at: datetime | None = None,
    immediately: bool = False,
    through_freeze: bool = False,
    new_id: str | None = None,
    warn: Warn | None = None,
) -> Use:
    """Make a draft from a holding statement and queue it at ``at`` (None: only make it).

    ``immediately``: ``at`` is now, for publish-now (no lateness check of the time).
    ``by``: who did it (the operating system's login name), for the history.
    ``through_freeze``: queue it even during the freeze, and let its items through.
    """
    store = context.drafts
    loaded = store.load(template_id)
    template, where = loaded.draft, store.where(loaded.path)
    if not template.template:
        raise UserError(_("draft {id!r} is not a holding statement").format(id=template_id),
                        where=where, hint=_("a holding statement has template = true"))
    if new_id is not None:
        _check_new_id(context, new_id)
    draft_id = new_id or free_id(_default_id(template_id, at or now), set(store.ids()))
    draft = fill_draft(template, values, draft_id, where)
    if at is not None:
        _check_sendable(context, template, draft, at, now, immediately, through_freeze)
    elif draft.accounts:
        # Only made, not queued: what does not fit an account is refused all the same.
        queueing.plan_posts(context, draft, allow_stale=True, check_approval=False)
    text = _filled_file(store.current_bytes(template_id), draft, template_id, by, now)
    path = store.create_text(draft_id, text)
    approved = approvals.carry_approvals(context, template, draft_id, by=by, now=now).cleared
    # The journal goes with the queue (a journal without one reads as a lost queue):
    # opening the queue makes both when the workspace has neither yet.
    with open_queue(context):
        journal_of(context).append({
            "event": CRISIS_USE, "at": now.astimezone(UTC).isoformat(),
            "template": template_id, "draft": draft_id, "values": values.as_record(),
            "by": by, "approved": approved})
    items: list[int] = []
    if at is not None:
        items = queueing.schedule(context, draft_id, at, now=now, actor=by,
                                  check_window=not immediately, warn=warn,
                                  through_freeze=through_freeze)
    return Use(template_id, draft_id, context.workspace.relative(path), approved,
               values.as_record(), by, items)


def _check_new_id(context: Context, new_id: str) -> None:
    """A given id must be free (``create_text`` refuses a race all the same)."""
    check_draft_id(new_id)
    path = context.drafts.path_of(new_id)
    if path.exists():
        raise UserError(_("draft {id!r} exists").format(id=new_id),
                        where=context.drafts.where(path), hint=_("pick another id"))


def _default_id(template_id: str, moment: datetime) -> str:
    """TEMPLATE-YYYYMMDD-HHMM (UTC) of the time the statement is for."""
    return f"{template_id}-{moment.astimezone(UTC):%Y%m%d-%H%M}"


def _check_sendable(context: Context, template: Draft, draft: Draft, at: datetime,
                    now: datetime, immediately: bool, through_freeze: bool) -> None:
    """Everything scheduling would refuse, before the draft is written."""
    if not template.approved:  # the file first: a refusal opens (makes) no queue
        raise UserError(
            _("holding statement {id!r} is not approved").format(id=template.id),
            hint=_("approve it, or make the draft alone and approve that"),
            remedy=Remedy(Fix.APPROVE_DRAFT, draft=template.id))
    stale = [tag for tag in template.locales_needed(context.account_locales())
             if template.state(tag) == TranslationState.STALE]
    if stale:  # said of the template, which is where it is fixed
        raise UserError(
            _("the {locales} text of holding statement {id!r} is stale (its source "
              "changed)").format(locales=", ".join(stale), id=template.id),
            hint=_("update the translation of the template, then use it again"))
    queueing.check_time(draft, at, now, check_window=not immediately)
    queueing.plan_posts(context, draft, check_approval=False)  # the template's, above
    # Last: the only check that opens the queue (which makes one if there was none).
    with open_queue(context) as queue:
        if not approvals.clearance(context, template, queue).cleared:
            raise UserError(
                _("holding statement {id!r} is not approved").format(id=template.id),
                hint=_("approve it, or make the draft alone and approve that"),
                remedy=Remedy(Fix.APPROVE_DRAFT, draft=template.id))
        freeze = queue.pauses().get(FREEZE)
    if freeze is not None and not through_freeze:
        raise FrozenError(_("everything is frozen ({reason}); nothing was made").format(
            reason=freeze.reason or "-"), remedy=Remedy(Fix.RESUME_ALL))


def _filled_file(template_bytes: bytes, draft: Draft, template_id: str, by: str,
                 now: datetime) -> str:
    """The template's file with its texts filled and ``template = true`` taken out
    (its comments, key order and other fields kept)."""
    document = tomlkit.parse(template_bytes.decode("utf-8"))
    del document["template"]
    for tag, variant in draft.variants.items():
        set_variant(document, tag, VariantEdit(
            variant.text, variant.from_source, variant.thread, variant.first_comment,
            variant.content_warning))
        for account_id, own in variant.accounts.items():
            set_account_text(document, tag, account_id, AccountTextEdit(
                own.text, own.thread, own.first_comment, own.from_source))
    for media in draft.media:
        for tag, alt in media.alt.items():
            set_alt(document, media.file, tag, alt, where=draft.id)
    stamp = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = f"# Made from the holding statement {template_id} by {by}, {stamp}.\n"
    return header + tomlkit.dumps(document)

