"""Approvals as records, authorship, and the history of who did what.

The front ends pass who acts (``by``: :func:`publisher.services.people.login_name`);
tests pass names. What the terminal UI calls:

- :func:`clearance` (a :class:`~publisher.domain.approvals.Clearance`: each step,
  the approval that stands, the pending steps, ``cleared``);
- :func:`approve` (records one step; returns :class:`Approved`);
- :func:`authorship` (an :class:`~publisher.domain.approvals.Authorship`: created
  by/at, per locale last changed by/at);
- :func:`record_change` (after any change of a draft through the tool: records who
  changed which locales, withdraws the approvals it invalidated, keeps the file's
  ``approved`` in sync);
- :func:`history` (who did what when, newest first).

Scheduling and the flush ask :func:`require_cleared`: the file's ``approved`` is
written from the records for people reading it, and is never what they trust
(except a workspace without steps, for drafts without any record: see
:mod:`publisher.domain.approvals`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from publisher.domain.approvals import (
    APPROVED,
    CREATED,
    WITHDRAWN,
    ApprovalRecord,
    Authorship,
    Clearance,
    DraftChange,
    Step,
    approval_fingerprint,
    authorship_of,
    choose_step,
    standing_to_withdraw,
    steps_for,
)
from publisher.domain.approvals import clearance as clearance_from
from publisher.domain.drafts import Draft
from publisher.domain.errors import UserError
from publisher.domain.locales import normalize_locale
from publisher.domain.remedies import Fix, Remedy
from publisher.i18n import _
from publisher.services.context import Context
from publisher.services.queue_file import open_queue
from publisher.storage import records
from publisher.storage.atomic import file_digest
from publisher.storage.drafts import LoadedDraft
from publisher.storage.records import Activity

if TYPE_CHECKING:
    from publisher.storage.queue import Queue



def media_digests(context: Context, draft: Draft) -> dict[str, str]:
    """The SHA-256 of each image's and subtitle file's bytes ("" for one that cannot be
    read: the fingerprint then differs from any approval of the file, and scheduling says
    what is wrong)."""
    digests = {}
    for file in (name for media in draft.media for name in (media.file,
                                                            *media.subtitles.values())):
        try:
            path = context.workspace.media_file(file, draft.id)
            digests[file] = file_digest(path)  # in blocks: a video is never held whole
        except (UserError, OSError):
            digests[file] = ""
    return digests


def fingerprints(context: Context, draft: Draft, steps: Sequence[Step]) -> dict[str, str]:
    """Each step's fingerprint of the draft as it is now."""
    digests = media_digests(context, draft)
    return {step.name: approval_fingerprint(draft, digests, step.locales) for step in steps}


def _file_rule(context: Context) -> bool:
    people = context.settings.people
    return not people.has_steps and not people.language_approvers


def _clearance(context: Context, draft: Draft, queue: Queue) -> Clearance:
    steps = steps_for(context.settings.people, draft)
    return clearance_from(draft, steps, fingerprints(context, draft, steps),
                          records.approvals_of(queue, draft.id), file_rule=_file_rule(context))


def clearance(context: Context, draft: Draft, queue: Queue | None = None) -> Clearance:
    """Where ``draft``'s approvals stand (``queue``: an open queue to read, else one
    is opened)."""
    if queue is not None:
        return _clearance(context, draft, queue)
    with open_queue(context) as opened:
        return _clearance(context, draft, opened)


def require_cleared(context: Context, draft: Draft, queue: Queue | None = None) -> None:
    """Refuse (UserError) a draft whose texts and images are not approved by every step,
    byte for byte, as they are now."""
    state = clearance(context, draft, queue)
    if state.cleared:
        return
    if len(state.steps) == 1 and state.steps[0].outdated is None:
        raise UserError(_("draft {id!r} is not approved").format(id=draft.id),
                        remedy=Remedy(Fix.APPROVE_DRAFT, draft=draft.id))
    raise UserError(
        _("draft {id!r} is not approved as it is now (waiting for: {steps})").format(
            id=draft.id, steps=", ".join(state.pending)),
        remedy=Remedy(Fix.APPROVE_DRAFT, draft=draft.id))


def awaiting_step(context: Context, draft: Draft, queue: Queue | None = None) -> str | None:
    """The step a draft waits for next (None when cleared): what notifications tell
    that step's people."""
    return clearance(context, draft, queue).next_step()


@dataclass(frozen=True)
class Approved:
    record: ApprovalRecord
    clearance: Clearance  # after this approval
    loaded: LoadedDraft  # the file as it is now (its ``approved`` in sync)
    warnings: list[str]


def approve(context: Context, draft_id: str, *, by: str, step: str | None, now: datetime,
            warnings: Sequence[str] = ()) -> Approved:
    """Record ``by``'s approval of one step of the draft as it is now (``step`` None:
    the next step they may take). Refused in one line (UserError): a step out of order,
    one ``by`` may not take, their own text when self_approval is false, a step taken.
    """
    loaded = context.drafts.load(draft_id)
    draft = loaded.draft
    people = context.settings.people
    with open_queue(context) as queue, queue.transaction():
        before = _clearance(context, draft, queue)
        authors = authorship_of(draft_id, records.changes_of(queue, draft_id))
        wanted = _step_name(step, before)
        chosen = choose_step(before, people, by, wanted, authors, draft.source)
        record = ApprovalRecord(draft_id, chosen.step.name, APPROVED, by, now,
                                chosen.fingerprint)
        records.add_approvals(queue, [record])
        after = _clearance(context, draft, queue)
    loaded = _sync_file(context, draft_id, after.cleared, loaded)
    return Approved(record, after, loaded, list(warnings))


def _step_name(step: str | None, state: Clearance) -> str | None:
    """A --step as given; a language step may be written in any case (sr-latn)."""
    if step is None or state.state(step) is not None:
        return step
    try:
        tag = normalize_locale(step)
    except UserError:
        return step
    return tag if state.state(tag) is not None else step


def record_change(context: Context, draft_id: str, *, by: str, now: datetime, kind: str,
                  locales: Sequence[str] = (), how: str = "") -> Clearance:
    """After a change of the draft through the tool: record who changed which locales'
    texts, withdraw every approval that no longer matches (``by`` changed it), and
    write the file's ``approved`` from the records when the draft has any."""
    loaded = context.drafts.load(draft_id)
    draft = loaded.draft
    with open_queue(context) as queue, queue.transaction():
        records.add_change(queue, DraftChange(draft_id, kind, by, now, tuple(locales), how))
        steps = steps_for(context.settings.people, draft)
        current = fingerprints(context, draft, steps)
        known = records.approvals_of(queue, draft_id)
        withdrawn = [ApprovalRecord(draft_id, record.step, WITHDRAWN, by, now,
                                    record.fingerprint, _("the text changed"))
                     for record in standing_to_withdraw(known, current)]
        records.add_approvals(queue, withdrawn)
        state = _clearance(context, draft, queue)
        has_records = bool(known)
    if has_records:
        _sync_file(context, draft_id, state.cleared, loaded)
    return state


def _sync_file(context: Context, draft_id: str, cleared: bool,
               loaded: LoadedDraft) -> LoadedDraft:
    """Write ``approved`` into the draft file when it says otherwise than the records."""
    if loaded.draft.approved == cleared:
        return loaded

    def write(document, _draft: Draft) -> None:
        document["approved"] = cleared

    return context.drafts.rewrite(draft_id, expected_digest=None, change=write)


def authorship(context: Context, draft_id: str) -> Authorship:
    """Who created the draft and who last changed each locale's text through the tool."""
    with open_queue(context) as queue:
        return authorship_of(draft_id, records.changes_of(queue, draft_id))


def approval_records(context: Context, draft_id: str) -> list[ApprovalRecord]:
    """Every approval and withdrawal of a draft, oldest first."""
    with open_queue(context) as queue:
        return records.approvals_of(queue, draft_id)


def history(context: Context, draft_id: str | None = None, *,
            limit: int | None = None) -> list[Activity]:
    """Who did what when, newest first: queue moves, approvals, withdrawals, draft
    changes (of one draft when given: UserError when neither its file nor any record
    knows it)."""
    with open_queue(context) as queue:
        if draft_id is not None and not context.drafts.path_of(draft_id).is_file() \
                and not records.draft_known(queue, draft_id):
            raise UserError(_("no draft {id!r}").format(id=draft_id),
                            hint=_("neither a draft file nor any record has this id"))
        return records.activity(queue, draft_id, limit)


def what_was_done(line: Activity) -> str:
    """What one history line says was done, in words (the CLI's and the TUI's)."""
    if line.kind == "approval":
        if line.what == WITHDRAWN:
            return _("approval of step {step} withdrawn ({reason})").format(
                step=line.step, reason=line.reason or "-")
        return _("approved step {step}").format(step=line.step)
    if line.kind == "change":
        names = {"created": _("created"), "edited": _("edited"), "imported": _("imported")}
        done = names.get(line.what, line.what)
        return f"{done} ({', '.join(line.locales)})" if line.locales else done
    moved = f"{_(line.from_state)} -> {_(line.what)}" if line.from_state else _(line.what)
    text = _("item {id}: {moved}").format(id=line.item, moved=moved)
    return f"{text}: {line.reason}" if line.reason else text


def carry_approvals(context: Context, template: Draft, draft_id: str, *, by: str,
                    now: datetime) -> Clearance:
    """A draft just made from a holding statement (``crisis use``): ``by`` made it, and
    the approvals that stand on the statement carry over to the filled texts (it was
    approved ahead of time to be filled so). Returns where the new draft stands."""
    loaded = context.drafts.load(draft_id)
    draft = loaded.draft
    reason = _("filled from the holding statement {id}").format(id=template.id)
    with open_queue(context) as queue, queue.transaction():
        records.add_change(queue, DraftChange(draft_id, CREATED, by, now, (), "crisis"))
        origin = _clearance(context, template, queue)
        if origin.cleared and not origin.by_file:
            steps = steps_for(context.settings.people, draft)
            current = fingerprints(context, draft, steps)
            records.add_approvals(queue, [
                ApprovalRecord(draft_id, state.step.name, APPROVED, state.approval.by, now,
                               current[state.step.name], reason)
                for state in origin.steps
                if state.approval is not None and state.step.name in current])
        state = _clearance(context, draft, queue)
    _sync_file(context, draft_id, state.cleared, loaded)
    return state
