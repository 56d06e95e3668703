"""Who wrote and who cleared a draft, as the editor, the translator and the drafts
list show it: read from the approvals services (in a worker: they open the queue),
written as short lines in the interface's language and date format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from publisher.domain.approvals import (
    APPROVED,
    DEFAULT_STEP,
    WITHDRAWN,
    ApprovalRecord,
    Authorship,
    Clearance,
    StepState,
)
from publisher.i18n import _
from publisher.tui.base import format_moment

if TYPE_CHECKING:
    from publisher.domain.drafts import Draft
    from publisher.services.approvals import Approved
    from publisher.services.context import Context

SEPARATOR = " · "


@dataclass(frozen=True)
class DraftPeople:
    """Who created and changed a draft, and where its approvals stand."""

    draft_id: str
    authorship: Authorship
    clearance: Clearance
    records: tuple[ApprovalRecord, ...]  # every approval and withdrawal, oldest first


def read_people(context: Context, draft: Draft) -> DraftPeople:
    """Read who wrote and who cleared ``draft`` (opens the queue: call it in a worker)."""
    from publisher.services import approvals

    return DraftPeople(draft.id, approvals.authorship(context, draft.id),
                       approvals.clearance(context, draft),
                       tuple(approvals.approval_records(context, draft.id)))


def authorship_line(people: DraftPeople, locale: str | None, zone: tzinfo | None) -> str:
    """Who created the draft, and who changed ``locale`` last (None: anything last)."""
    authors = people.authorship
    parts = []
    if authors.created is not None:
        parts.append(_("created by {login}, {when}").format(
            login=authors.created.by, when=format_moment(authors.created.at, zone)))
    touch = authors.last if locale is None else authors.changed.get(locale)
    if touch is not None and locale is None:
        parts.append(_("last changed by {login}, {when}").format(
            login=touch.by, when=format_moment(touch.at, zone)))
    elif touch is not None:
        parts.append(_("{locale} last changed by {login}, {when}").format(
            locale=locale, login=touch.by, when=format_moment(touch.at, zone)))
    if not parts:
        return _("who wrote it is not recorded (written outside publisher)")
    return SEPARATOR.join(parts)


def approval_line(people: DraftPeople, locale: str | None, zone: tzinfo | None) -> Text:
    """Each approval step covering ``locale``'s texts (None: every step): who approved
    it and when, or waiting, or withdrawn because the text changed since."""
    clearance = people.clearance
    if clearance.by_file:
        return Text(_("approved in its file (no approval recorded yet)"), style="green")
    line = Text()
    for state in clearance.steps:
        if locale is not None and state.step.locales is not None \
                and locale not in state.step.locales:
            continue
        if line:
            line.append(SEPARATOR)
        line.append_text(step_text(state, people.records, zone))
    return line


def step_text(state: StepState, records: tuple[ApprovalRecord, ...],
              zone: tzinfo | None) -> Text:
    step = state.step.name
    if state.approval is not None:
        return Text(_("{step}: approved by {login}, {when}").format(
            step=step, login=state.approval.by, when=format_moment(state.approval.at, zone)),
            style="green")
    ended = withdrawn_approval(state, records)
    if ended is not None:
        return Text(_("{step}: withdrawn (approved by {login}, {when}; the text changed "
                      "since)").format(step=step, login=ended.by,
                                       when=format_moment(ended.at, zone)), style="red")
    if state.step.approvers:
        return Text(_("{step}: waiting for {names}").format(
            step=step, names=", ".join(state.step.approvers)), style="yellow")
    return Text(_("{step}: waiting").format(step=step), style="yellow")


def withdrawn_approval(state: StepState,
                       records: tuple[ApprovalRecord, ...]) -> ApprovalRecord | None:
    """The approval of a pending step that the text's change ended: recorded as
    withdrawn (a change through the tool), or still standing on other texts (a file
    changed by hand: ``outdated``)."""
    if state.outdated is not None:
        return state.outdated
    own = [record for record in records if record.step == state.step.name]
    if not own or own[-1].kind != WITHDRAWN:
        return None
    return next((record for record in reversed(own)
                 if record.kind == APPROVED and record.fingerprint == own[-1].fingerprint),
                None)


def language_step_line(people: DraftPeople, locale: str, zone: tzinfo | None) -> str:
    """For a translator: whether ``locale``'s text awaits its language step."""
    state = people.clearance.state(locale)
    if state is None or state.step.locales is None:
        return ""
    if state.approval is not None:
        return _("{locale} is approved by {login}, {when}").format(
            locale=locale, login=state.approval.by, when=format_moment(state.approval.at, zone))
    return _("{locale} awaits its language approval ({names})").format(
        locale=locale, names=", ".join(state.step.approvers or ()) or "-")


def translator_line(people: DraftPeople, locale: str, zone: tzinfo | None) -> str:
    """Who changed ``locale`` last, and whether it awaits its language step."""
    touch = people.authorship.changed.get(locale)
    parts = [_("{locale} last changed by {login}, {when}").format(
        locale=locale, login=touch.by, when=format_moment(touch.at, zone))
        if touch is not None else _("{locale}: no change recorded yet").format(locale=locale)]
    language = language_step_line(people, locale, zone)
    if language:
        parts.append(language)
    return SEPARATOR.join(parts)


def approved_note(draft_id: str, done: Approved) -> str:
    """What F7 says: the step taken and what remains (the command line's words)."""
    state = done.clearance
    if [s.step.name for s in state.steps] == [DEFAULT_STEP]:
        text = _("Approved {id}").format(id=draft_id)
    elif state.cleared:
        text = _("Approved {id} ({step}, by {login})").format(
            id=draft_id, step=done.record.step, login=done.record.by)
    else:
        text = _("Approved step {step} of {id} (by {login}); waiting for: {steps}").format(
            step=done.record.step, id=draft_id, login=done.record.by,
            steps=", ".join(state.pending))
    if done.warnings:
        text += " — " + "; ".join(done.warnings)
    return text


class PeopleLines(Static):
    """Who wrote and who cleared the draft, for one language (``locale`` None: the whole
    draft). It asks its screen for its text when mounted (a lazy tab mounts it late),
    as the counters do."""

    def __init__(self, locale: str | None, **kwargs) -> None:
        super().__init__("…", **kwargs)
        self.locale = locale

    def on_mount(self) -> None:
        refresh = getattr(self.screen, "refresh_people", None)
        if refresh is not None:
            refresh(self)
