"""Small modal dialogs: confirm, ask for a text, choose one of several answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, TypeVar

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
    """

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class ChoiceDialog(_Dialog):
    """A question with several answers; dismisses with the chosen key, None on escape.

    The arrow keys move between the answers (as people expect of a row of buttons).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,up", "move(-1)", N_("Previous answer"), id="dialog.previous",
                show=False, tooltip=N_("Move to the answer on the left")),
        Binding("right,down", "move(1)", N_("Next answer"), id="dialog.next", show=False,
                tooltip=N_("Move to the answer on the right")),
    ]

    def __init__(self, title: str, message: str, choices: Sequence[tuple[str, str, str]]):
        super().__init__()
        self.title_text = title
        self.message = message
        self.choices = choices  # (key, label, variant)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.message)
            with Horizontal():
                for key, label, variant in self.choices:
                    yield Button(label, id=f"choice-{key}", variant=variant)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    def action_move(self, step: int) -> None:
        buttons = list(self.query(Button))
        current = self.focused if self.focused in buttons else buttons[0]
        index = buttons.index(current) + step
        buttons[max(0, min(index, len(buttons) - 1))].focus()

    @on(Button.Pressed)
    def choose(self, event: Button.Pressed) -> None:
        self.dismiss(str(event.button.id).removeprefix("choice-"))


def confirm(title: str, message: str, yes: str) -> ChoiceDialog:
    """A yes/cancel question; focus starts on cancel so Enter alone does no harm."""
    dialog = ChoiceDialog(title, message, [("no", _("Cancel"), "default"),
                                           ("yes", yes, "error")])
    return dialog


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
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
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
