"""Approvals as records, and who wrote what (authorship).

An approval is a record: a step, who took it, when, and the *approval fingerprint*
of what it covers. The fingerprint (:func:`approval_fingerprint`) is a SHA-256 over a
canonical JSON of, in this order:

- the draft's accounts, as listed (what goes where);
- every written variant, by locale tag: its text, thread parts, first comment,
  content warning, and each account's own text (text, thread, first comment), by
  account id;
- every image, in the draft's order: its file name, the SHA-256 of its bytes, and
  its alt texts by locale; a video with subtitles also its subtitle files by locale,
  each with the SHA-256 of its bytes (left out for a video without, so that the
  fingerprints of drafts made before subtitles existed stay as they were).

Texts are as the draft file gives them after loading (NFC, the parser's newline
rule), so that an unchanged file always gives the same fingerprint. Derived
variants (sr-Latn from sr) are covered through the variant they come from;
``from_source``, the title, times and options are not texts and are not covered.
A language step covers only that locale: its variant's texts and its alt texts.
The value is written ``v1:<64 hex digits>``: a later change to what is covered gets
a new version, never a silent new meaning.

A step's approval stands while the latest record of that step is an approval whose
fingerprint is the draft's current one. A draft is *cleared* (may be queued and
sent) when every step it needs stands. Without ``[approval]`` steps there is one
step, :data:`DEFAULT_STEP`, that anyone may take; in such a workspace a draft that
has no record at all and whose file says ``approved = true`` counts as approved by
its file, as before records existed (older drafts, files from git, the demo's
samples): its first record ends that, and from then on only records count.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from publisher.domain.drafts import Draft, Media
from publisher.domain.errors import UserError
from publisher.domain.people import People
from publisher.i18n import _

# The history's actor of the flush that cron runs (a person's actions: their login name).
CRON = "cron"
# What services record when a caller names nobody: only older callers and tests (the
# front ends always pass the login name).
UNNAMED = "person"
# The one step of a workspace without [approval] steps.
DEFAULT_STEP = "approval"
APPROVED = "approved"
WITHDRAWN = "withdrawn"
FINGERPRINT_VERSION = "v1"

# What a draft edit record says happened (see DraftChange.kind).
CREATED = "created"
EDITED = "edited"
IMPORTED = "imported"


@dataclass(frozen=True)
class ApprovalRecord:
    """One row of the approvals' append-only record: a step taken (``approved``) or
    given back (``withdrawn``, ``by`` whoever changed the text it covered)."""

    draft_id: str
    step: str
    kind: str  # APPROVED | WITHDRAWN
    by: str
    at: datetime
    fingerprint: str  # what was approved (a withdrawal: the approval it ends)
    reason: str = ""


@dataclass(frozen=True)
class DraftChange:
    """Who created or changed a draft through the tool, and which locales' texts
    (empty: none, e.g. only its accounts or times)."""

    draft_id: str
    kind: str  # CREATED | EDITED | IMPORTED
    by: str
    at: datetime
    locales: tuple[str, ...] = ()
    how: str = ""  # cli | tui | po | crisis ...


@dataclass(frozen=True)
class Touch:
    by: str
    at: datetime


@dataclass(frozen=True)
class Authorship:
    """Who created the draft and who last changed each locale's text, through the tool
    (None / absent where the tool does not know: a file written by hand)."""

    draft_id: str
    created: Touch | None = None
    changed: Mapping[str, Touch] = field(default_factory=dict)  # locale -> last change
    last: Touch | None = None  # the latest change of any kind

    def authors(self, locales: Collection[str] | None, source: str) -> set[str]:
        """Who wrote or last changed the texts of ``locales`` (None: every locale); the
        creator counts for the source locale."""
        found = {touch.by for tag, touch in self.changed.items()
                 if locales is None or tag in locales}
        if self.created is not None and (locales is None or source in locales):
            found.add(self.created.by)
        return found


def authorship_of(draft_id: str, changes: Iterable[DraftChange]) -> Authorship:
    """Authorship from a draft's change records, oldest first (a later ``created``,
    a new draft under an old id, starts it again)."""
    created: Touch | None = None
    changed: dict[str, Touch] = {}
    last: Touch | None = None
    for change in changes:
        touch = Touch(change.by, change.at)
        if change.kind == CREATED:
            created, changed = touch, {}
        for tag in change.locales:
            changed[tag] = touch
        last = touch
    return Authorship(draft_id, created, changed, last)


@dataclass(frozen=True)
class Step:
    """One approval a draft needs: ``approvers`` None means anyone; ``locales`` None
    means every text (a language step covers one locale); ``ordered`` steps are taken
    in the order given."""

    name: str
    approvers: tuple[str, ...] | None = None
    locales: tuple[str, ...] | None = None
    ordered: bool = True


def steps_for(people: People, draft: Draft) -> list[Step]:
    """The steps ``draft`` needs: the ordered steps (or the one default step), then a
    language step for each language of ``[approval] languages`` it has a text in."""
    if not people.has_steps:
        steps = [Step(DEFAULT_STEP)]
    else:
        steps = [Step(name, tuple(people.approvers.get(name, ()))) for name in people.steps]
    for tag, logins in people.language_approvers.items():
        variant = draft.variants.get(tag)
        if variant is not None and variant.text:
            steps.append(Step(tag, tuple(logins), (tag,), ordered=False))
    return steps


def approval_fingerprint(draft: Draft, media_sha256: Mapping[str, str],
                         locales: Collection[str] | None = None) -> str:
    """The fingerprint of what an approval covers (see the module's notes);
    ``media_sha256`` maps each image file to the SHA-256 of its bytes ("" if absent)."""
    covered = sorted(tag for tag in draft.variants if locales is None or tag in locales)
    variants = []
    for tag in covered:
        variant = draft.variants[tag]
        own = [[account_id, text.text, list(text.thread), text.first_comment]
               for account_id, text in sorted(variant.accounts.items())]
        variants.append([tag, variant.text, list(variant.thread), variant.first_comment,
                         variant.content_warning, own])
    media = [[m.file, media_sha256.get(m.file, ""),
              sorted([tag, alt] for tag, alt in m.alt.items()
                     if locales is None or tag in locales),
              *_subtitles_covered(m, media_sha256, locales)]
             for m in draft.media]
    accounts = list(draft.accounts) if locales is None else []
    canonical = json.dumps([accounts, variants, media], ensure_ascii=False,
                           separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{FINGERPRINT_VERSION}:{digest}"


def _subtitles_covered(media: Media, media_sha256: Mapping[str, str],
                       locales: Collection[str] | None) -> list[list[list[str]]]:
    if not media.subtitles:
        return []
    return [sorted([tag, file, media_sha256.get(file, "")]
                   for tag, file in media.subtitles.items()
                   if locales is None or tag in locales)]


@dataclass(frozen=True)
class StepState:
    """A step of one draft: its current fingerprint, the approval that stands (None:
    pending) and, when pending, an earlier approval of other texts (``outdated``)."""

    step: Step
    fingerprint: str
    approval: ApprovalRecord | None = None
    outdated: ApprovalRecord | None = None

    @property
    def done(self) -> bool:
        return self.approval is not None


@dataclass(frozen=True)
class Clearance:
    """Where a draft's approvals stand: each step, and whether it may be queued."""

    draft_id: str
    steps: tuple[StepState, ...]
    by_file: bool = False  # approved by its file alone (see the module's notes)

    @property
    def cleared(self) -> bool:
        return self.by_file or all(state.done for state in self.steps)

    @property
    def approvals(self) -> list[ApprovalRecord]:
        return [state.approval for state in self.steps if state.approval is not None]

    @property
    def pending(self) -> list[str]:
        if self.by_file:
            return []
        return [state.step.name for state in self.steps if not state.done]

    def state(self, name: str) -> StepState | None:
        return next((s for s in self.steps if s.step.name == name), None)

    def next_step(self) -> str | None:
        """The step a person should take next (the first ordered one pending, else a
        language step), or None when cleared."""
        pending = [s for s in self.steps if not s.done]
        if self.by_file or not pending:
            return None
        ordered = [s for s in pending if s.step.ordered]
        return (ordered or pending)[0].step.name


def clearance(draft: Draft, steps: Sequence[Step], fingerprints: Mapping[str, str],
              records: Sequence[ApprovalRecord], *, file_rule: bool) -> Clearance:
    """Where ``draft``'s ``steps`` stand, from its records (oldest first) and the
    current ``fingerprints`` by step. ``file_rule``: the workspace has no steps, so a
    draft without records may be approved by its file."""
    latest = {record.step: record for record in records}
    states = []
    for step in steps:
        record = latest.get(step.name)
        current = fingerprints[step.name]
        if record is not None and record.kind == APPROVED and record.fingerprint == current:
            states.append(StepState(step, current, record))
        else:
            outdated = record if record is not None and record.kind == APPROVED else None
            states.append(StepState(step, current, None, outdated))
    by_file = file_rule and not records and draft.approved
    return Clearance(draft.id, tuple(states), by_file)


def standing_to_withdraw(records: Sequence[ApprovalRecord],
                         fingerprints: Mapping[str, str]) -> list[ApprovalRecord]:
    """The approvals that stood and no longer match the texts (each step's latest
    record, when it is an approval of another fingerprint)."""
    latest = {record.step: record for record in records}
    return [record for step, record in latest.items()
            if record.kind == APPROVED and fingerprints.get(step) != record.fingerprint]


def choose_step(clearance_now: Clearance, people: People, by: str, wanted: str | None,
                authorship: Authorship, source: str) -> StepState:
    """The step ``by`` takes now (``wanted``, else the next one they may take), or a
    one-line UserError: an unknown step, one taken already, one out of order, one
    they may not take, or their own text with self_approval false."""
    names = [state.step.name for state in clearance_now.steps]
    if wanted is not None and wanted not in names:
        raise UserError(_("{step!r} is not an approval step of this draft").format(step=wanted),
                        hint=_("steps: {names}").format(names=", ".join(names)))
    if wanted is None:
        wanted = _default_choice(clearance_now, by)
    state = clearance_now.state(wanted)
    assert state is not None
    if state.done:
        raise UserError(_("step {step!r} is approved already (by {by})").format(
            step=wanted, by=state.approval.by if state.approval else "-"))
    if state.step.ordered:
        for earlier in clearance_now.steps:
            if earlier.step.name == wanted:
                break
            if earlier.step.ordered and not earlier.done:
                raise UserError(
                    _("step {step!r} comes after {earlier!r}, which is not approved yet")
                    .format(step=wanted, earlier=earlier.step.name),
                    hint=_("{earlier} approves first").format(earlier=earlier.step.name))
    approvers = state.step.approvers
    if approvers is not None and by not in approvers:
        raise UserError(_("{login} may not approve the step {step!r}").format(
            login=by, step=wanted),
            hint=_("it is approved by {names}").format(names=", ".join(approvers)))
    if not people.self_approval and by in authorship.authors(state.step.locales, source):
        raise UserError(_("{login} wrote or last changed these texts and may not approve "
                          "them").format(login=by),
                        hint=_("self_approval is false: someone else approves"))
    return state


def _default_choice(clearance_now: Clearance, by: str) -> str:
    """Without --step: the first pending step ``by`` may take, else the next one (whose
    refusal then says why)."""
    pending = [s for s in clearance_now.steps if not s.done]
    if not pending:
        raise UserError(_("every step is approved already"))
    for state in pending:
        if state.step.approvers is None or by in state.step.approvers:
            return state.step.name
    first = clearance_now.next_step()
    assert first is not None
    return first


def changed_locales(before: Draft, after: Draft) -> tuple[str, ...]:
    """The locales whose texts (variant, own texts, alt texts) differ between two
    versions of a draft, in tag order."""
    tags = sorted(set(before.variants) | set(after.variants)
                  | {tag for m in (*before.media, *after.media) for tag in (*m.alt, *m.subtitles)})
    return tuple(tag for tag in tags
                 if approval_fingerprint(before, {}, (tag,))
                 != approval_fingerprint(after, {}, (tag,)))
