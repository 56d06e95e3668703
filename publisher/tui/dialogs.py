"""Small modal dialogs: confirm, ask for a text, choose one of several answers, and
the question asked before unsaved work would be lost."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar, Protocol, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from publisher.domain.errors import UserError
from publisher.i18n import _
from publisher.tui.base import N_, translate_bindings


class _Dialog(ModalScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", N_("Cancel"), id="dialog.cancel",
                tooltip=N_("Close without doing anything")),
    ]
    DEFAULT_CSS = """
    _Dialog { align: center middle; }
    _Dialog > Vertical {
        width: 84; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    _Dialog .dialog-title { text-style: bold; margin-bottom: 1; }
    _Dialog Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    _Dialog Button { margin-left: 1; }
    _Dialog .dialog-error { color: $error; height: auto; }
    _Dialog .dialog-hint { color: $text-muted; height: auto; margin-top: 1; }
    """

    def __init__(self, dialog_id: str | None = None) -> None:
        super().__init__(id=dialog_id)
        translate_bindings(self)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class ChoiceDialog(_Dialog):
    """A question with several answers; dismisses with the chosen key, None on escape.

    The arrow keys move between the answers (as people expect of a row of buttons).
    Focus starts on ``safe`` (else the first answer); ``hint`` says what Enter does then.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,up", "move(-1)", N_("Previous answer"), id="dialog.previous",
                show=False, tooltip=N_("Move to the answer on the left")),
        Binding("right,down", "move(1)", N_("Next answer"), id="dialog.next", show=False,
                tooltip=N_("Move to the answer on the right")),
    ]

    def __init__(self, title: str, message: str, choices: Sequence[tuple[str, str, str]],
                 *, safe: str | None = None, hint: str = "", dialog_id: str | None = None):
        super().__init__(dialog_id)
        self.title_text = title
        self.message = message
        self.choices = choices  # (key, label, variant)
        self.safe = safe
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.message)
            with Horizontal():
                for key, label, variant in self.choices:
                    yield Button(label, id=f"choice-{key}", variant=variant)  # type: ignore[arg-type]
            if self.hint:
                yield Static(self.hint, classes="dialog-hint")

    def on_mount(self) -> None:
        buttons = self.query(Button)
        safe = [b for b in buttons if b.id == f"choice-{self.safe}"]
        (safe[0] if safe else buttons.first()).focus()

    def action_move(self, step: int) -> None:
        buttons = list(self.query(Button))
        current = self.focused if self.focused in buttons else buttons[0]
        index = buttons.index(current) + step
        buttons[max(0, min(index, len(buttons) - 1))].focus()

    @on(Button.Pressed)
    def choose(self, event: Button.Pressed) -> None:
        self.dismiss(str(event.button.id).removeprefix("choice-"))


def confirm(title: str, message: str, yes: str, keep: str) -> ChoiceDialog:
    """A question about a change: ``yes`` does it; ``keep`` (a lowercase phrase, e.g.
    "keep frozen") changes nothing. Focus starts on ``keep``, so Enter alone does no
    harm, and the dialog says so."""
    return ChoiceDialog(title, message, [("no", keep[:1].upper() + keep[1:], "primary"),
                                         ("yes", yes, "error")],
                        safe="no", hint=_("Enter: {answer}").format(answer=keep))


def save_discard_cancel(title: str, message: str, enter: str, *,
                        dialog_id: str | None = None) -> ChoiceDialog:
    """Unsaved work would be lost: "save", "discard" or "cancel" (focused: Enter does
    what ``enter`` says, and nothing is lost)."""
    return ChoiceDialog(title, message, [("cancel", _("Cancel"), "primary"),
                                         ("discard", _("Discard"), "error"),
                                         ("save", _("Save"), "success")],
                        safe="cancel", hint=enter, dialog_id=dialog_id)


class HoldsEdits(Protocol):
    """A screen where a person types what is not in a file yet (the app asks before
    quitting, and keeps it in a file when the terminal closes)."""

    def unsaved(self) -> list[str]:
        """What leaving now would lose, one short label each (empty: nothing)."""
        ...

    def save_then(self, then: Callable[[], object]) -> None:
        """Save it, then call ``then`` (not called when the save fails: the screen says
        why, and nothing is lost)."""
        ...

    def keep_unsaved(self) -> list[Path]:
        """Write what is unsaved to kept files at once (no question can be asked)."""
        ...


Answer = TypeVar("Answer")


def if_yes(action: Callable[[], object]) -> Callable[[str | None], None]:
    """A dialog's callback that acts only on the answer "yes"."""
    def answered(answer: str | None) -> None:
        if answer == "yes":
            action()
    return answered


def if_given(action: Callable[[Answer], object]) -> Callable[[Answer | None], None]:
    """A dialog's callback that acts on any answer but none (cancelled) or empty."""
    def answered(answer: Answer | None) -> None:
        if answer:
            action(answer)
    return answered


def refusal(rule: Callable[[str], object]) -> Callable[[str], str | None]:
    """A PromptDialog check from a rule that raises UserError: its message, or None."""

    def check(text: str) -> str | None:
        try:
            rule(text)
        except UserError as error:
            from publisher.tui.remedies import describe

            return describe(error)
        return None

    return check


class PromptDialog(_Dialog):
    """Ask for one line; ``check`` returns an error text or None. Dismisses with the text."""

    def __init__(
        self, title: str, label: str, value: str = "", *, placeholder: str = "",
        check: Callable[[str], str | None] | None = None, cursor_blink: bool = True,
    ):
        super().__init__()
        self.title_text = title
        self.label = label
        self.value = value
        self.placeholder = placeholder
        self.check = check
        self.cursor_blink = cursor_blink

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="dialog-title")
            yield Label(self.label)
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input",
                        select_on_focus=False)
            yield Static("", id="prompt-error", classes="dialog-error")
            with Horizontal():
                yield Button(_("Cancel"), id="prompt-cancel")
                yield Button(_("OK"), id="prompt-ok", variant="primary")

    def on_mount(self) -> None:
        field = self.query_one("#prompt-input", Input)
        field.cursor_blink = self.cursor_blink
        field.focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#prompt-ok")
    def submit(self) -> None:
        text = self.query_one("#prompt-input", Input).value.strip()
        problem = self.check(text) if self.check else None
        if problem:
            self.query_one("#prompt-error", Static).update(problem)
            return
        self.dismiss(text)

    @on(Button.Pressed, "#prompt-cancel")
    def cancel(self) -> None:
        self.dismiss(None)
