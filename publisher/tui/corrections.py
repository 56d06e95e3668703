"""Retract everywhere and Correct everywhere, from the queue and the drafts.

The plan is computed in a worker and shown in a dialog (one row per account, locale
and part: what happens, why, the URL); Cancel has the focus. Acting runs in a worker
too, and the screen says what came of it (``Done``) and reads the queue again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from publisher.domain.corrections import How, Step
from publisher.domain.errors import UserError
from publisher.domain.queue import FINAL, State
from publisher.i18n import _
from publisher.tui.dialogs import _Dialog
from publisher.tui.messages import Done, Severity

if TYPE_CHECKING:
    from publisher.services import corrections
    from publisher.tui.base import PublisherScreen

STEP_STYLE = {Step.DELETE: "bold red", Step.EDIT: "bold cyan", Step.REPOST: "bold yellow",
              Step.REPLY: "bold cyan", Step.CANNOT: "bold white on dark_red",
              Step.CANCEL: "dim"}


def step_name(step: Step) -> str:
    return {Step.DELETE: _("delete"), Step.EDIT: _("edit"), Step.REPOST: _("repost"),
            Step.REPLY: _("reply"), Step.CANNOT: _("CANNOT"), Step.CANCEL: _("cancel")}[step]


def way_name(how: How) -> str:
    return {How.EDIT: _("edit"), How.REPOST: _("repost"), How.REPLY: _("reply")}[how]


@dataclass
class PlanAnswer:
    """What the person chose in the plan dialog: act on it (with ``reason``), or plan
    again with other ways (``how``)."""

    act: bool
    reason: str = ""
    how: dict[str, How] | None = None


# The way a correction of an account shows in its selector when none is asked for.
DEFAULT_WAY = "default"


class PlanDialog(_Dialog):
    """The plan of a retraction or a correction; dismisses with a PlanAnswer (None:
    nothing done)."""

    DEFAULT_CSS = """
    PlanDialog > Vertical { width: 96%; }
    PlanDialog #plan-table { height: auto; max-height: 16; }
    PlanDialog .plan-way { height: auto; }
    PlanDialog .plan-way Label { padding: 1 1 0 0; }
    PlanDialog .plan-way Select { width: 28; }
    """

    def __init__(self, plan: corrections.Plan, how: dict[str, How] | None = None,
                 note: str = "", cursor_blink: bool = True) -> None:
        super().__init__()
        self.plan = plan
        self.how = dict(how or {})
        self.note = note
        self.cursor_blink = cursor_blink

    def compose(self) -> ComposeResult:
        plan = self.plan
        title = _("Correct {id} everywhere?") if plan.correction else _(
            "Retract {id} everywhere?")
        with Vertical():
            yield Label(title.format(id=plan.draft_id), classes="dialog-title")
            yield DataTable(id="plan-table", cursor_type="row", zebra_stripes=True)
            if plan.cannot:
                yield Static(_("A person does the CANNOT rows by hand, at their URL."),
                             classes="dialog-error")
            if self.note:
                yield Static(self.note, classes="dialog-error", id="plan-note")
            if plan.correction:
                for account in self._accounts():
                    with Horizontal(classes="plan-way"):
                        yield Label(_("Way on {account}:").format(account=account))
                        yield Select(
                            [(_("default (edit, else repost, else reply)"), DEFAULT_WAY),
                             *((way_name(how), how.value) for how in How)],
                            value=self.how[account].value if account in self.how
                            else DEFAULT_WAY, allow_blank=False, id=f"way-{account}")
            else:
                yield Label(_("Why (kept in each item's history):"))
                yield Input(plan.reason, placeholder=_("e.g. the wrong phone number"),
                            id="plan-reason", select_on_focus=False)
            with Horizontal():
                yield Button(_("Cancel"), id="plan-cancel", variant="primary")
                if plan.correction:
                    yield Button(_("Plan again"), id="plan-again")
                yield Button(_("Correct everywhere") if plan.correction
                             else _("Retract everywhere"), id="plan-act", variant="error")
            yield Static(_("Enter: {answer}").format(answer=_("nothing is done")),
                         classes="dialog-hint")

    def _accounts(self) -> list[str]:
        return list(dict.fromkeys(step.account for step in self.plan.steps))

    def on_mount(self) -> None:
        table = self.query_one("#plan-table", DataTable)
        table.add_columns(_("Account"), _("Language"), _("Part"), _("Item"), _("Do"),
                          _("Why"), _("URL"))
        for step in self.plan.steps:
            table.add_row(step.account, "+".join(step.locales), step.part, str(step.item),
                          Text(step_name(step.action), style=STEP_STYLE[step.action]),
                          step.why, step.url or "")
        for field in self.query(Input):
            field.cursor_blink = self.cursor_blink
        self.query_one("#plan-cancel", Button).focus()

    def _chosen_ways(self) -> dict[str, How]:
        ways = {}
        for account in self._accounts():
            value = self.query_one(f"#way-{account}", Select).value
            if value != DEFAULT_WAY and isinstance(value, str):
                ways[account] = How(value)
        return ways

    @on(Button.Pressed, "#plan-cancel")
    def cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#plan-again")
    def plan_again(self) -> None:
        self.dismiss(PlanAnswer(False, how=self._chosen_ways()))

    @on(Button.Pressed, "#plan-act")
    def act(self) -> None:
        if self.plan.correction and self._chosen_ways() != self.how:
            # The plan shown is not the one chosen: show the new one first.
            self.dismiss(PlanAnswer(False, how=self._chosen_ways()))
            return
        reason = ""
        if not self.plan.correction:
            reason = self.query_one("#plan-reason", Input).value.strip()
        self.dismiss(PlanAnswer(True, reason=reason, how=self.how))


@dataclass
class PlanRead(Message, bubble=False):
    """A plan computed in a worker, to show (``note``: why the ways asked were refused)."""

    plan: corrections.Plan
    how: dict[str, How]
    note: str = ""


class CorrectsDrafts:
    """Retract everywhere / Correct everywhere on a screen that names a draft
    (``crisis_draft``). Mixed into the queue and the drafts screens."""

    CRISIS_GROUP: ClassVar[str] = "crisis-change"

    def crisis_draft(self) -> str | None:
        """The draft the selected row is about (None: nothing selected, said)."""
        raise NotImplementedError

    def action_retract(self) -> None:
        draft_id = self.crisis_draft()
        if draft_id is not None:
            self._screen().notify(_("Planning the retraction of {id}…").format(id=draft_id))
            self.plan_crisis(draft_id, False, {}, None)

    def action_correct(self) -> None:
        draft_id = self.crisis_draft()
        if draft_id is not None:
            self._screen().notify(_("Planning the correction of {id}…").format(id=draft_id))
            self.plan_crisis(draft_id, True, {}, None)

    def _screen(self) -> PublisherScreen:
        return self  # type: ignore[return-value]

    @work(thread=True, exit_on_error=False, group="crisis-plan")
    def plan_crisis(self, draft_id: str, correction: bool, how: dict[str, How],
                    previous: corrections.Plan | None) -> None:
        from publisher.services import corrections

        screen = self._screen()
        app = screen.publisher
        context = app.context()
        if not correction:
            plan = corrections.plan_retract(context, draft_id, clock=app.clock)
            screen.post_message(PlanRead(plan, {}))
            return
        try:
            plan = corrections.plan_correct(context, draft_id, how=how, clock=app.clock)
        except UserError as error:
            if previous is None:
                raise
            from publisher.tui.remedies import describe

            # A way the platform cannot do: the plan before, and why not.
            screen.post_message(PlanRead(previous, {}, describe(error)))
            return
        screen.post_message(PlanRead(plan, how))

    def on_plan_read(self, message: PlanRead) -> None:
        # A handler by name: a mixin's @on handlers are not collected by Textual.
        screen = self._screen()
        plan = message.plan

        def answered(answer: PlanAnswer | None) -> None:
            if answer is None:
                return
            if not answer.act:
                self.plan_crisis(plan.draft_id, True, answer.how or {}, plan)
                return
            plan.reason = answer.reason
            screen.busy(getattr(screen, "BUSY", ""))
            self.act_on_plan(plan)

        screen.app.push_screen(PlanDialog(plan, message.how, message.note,
                                          screen.publisher.cursor_blink), answered)

    @work(thread=True, exit_on_error=False, group="crisis-change")
    def act_on_plan(self, plan: corrections.Plan) -> None:
        from publisher.services import corrections

        screen = self._screen()
        app = screen.publisher
        done = corrections.act(app.context(), plan, clock=app.clock,
                               who=corrections.login_name())
        screen.post_message(Done(*outcome_text(plan, done)))


def outcome_text(plan: corrections.Plan, done: corrections.Done) -> tuple[str, Severity]:
    """One notification: what was done, and each step that needs a person or waits."""
    finished = sum(1 for o in done.outcomes if o.state in FINAL)
    head = _("Corrected {id}: {done} of {all} steps done") if plan.correction else _(
        "Retracted {id}: {done} of {all} steps done")
    lines = [head.format(id=plan.draft_id, done=finished, all=len(done.outcomes))]
    if done.locked:
        lines.append(_("a flush is running; the steps are queued and run with the next one"))
    for outcome in done.outcomes:
        if outcome.state in FINAL and outcome.state != State.EXPIRED:
            continue
        lines.append(_("item {id} ({action} on {account}, {part}): {state}").format(
            id=outcome.item, action=_(outcome.action), account=outcome.account,
            part=outcome.part, state=_(outcome.state.value))
            + (f": {outcome.detail}" if outcome.detail else ""))
    for step in done.cannot:
        lines.append(_("by hand on {account} ({part}): {why} {url}").format(
            account=step.account, part=step.part, why=step.why or "-",
            url=step.url or "").rstrip())
    return "\n".join(lines), "information" if done.exit_code == 0 else "warning"
