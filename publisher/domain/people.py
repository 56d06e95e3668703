"""The people of a workspace: the approval steps and who may take each, and the
translators of each language (publisher.toml's ``[approval]`` and ``[people]``).

Without these tables there is one approval step that anyone can take, as before.
The parser takes the tables as TOML gave them and a function naming where a key is
(file and line), and raises a one-line :class:`UserError` for any mistake.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from publisher.domain.errors import UserError
from publisher.domain.locales import normalize_locale
from publisher.i18n import _

TRANSLATORS = "translators"
LANGUAGES = "languages"
# POSIX portable user names (useradd's default rule), up to 32 characters.
_LOGIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,30}[A-Za-z0-9_.$-]?")
_STEP = re.compile(r"[a-z][a-z0-9_-]{0,31}")

Where = Callable[..., str]


@dataclass(frozen=True)
class Roles:
    """What one login may do: the steps they clear and the languages they translate."""

    steps: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class People:
    """``steps`` in order (empty: one step anyone may take); ``approvers`` and
    ``translators`` map a step or a locale to login names."""

    steps: tuple[str, ...] = ()
    self_approval: bool = True
    approvers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    translators: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # ``[approval] languages.sr = ["marko"]``: a draft with a text in that locale also
    # needs that locale cleared by one of them (a step named by the tag, any time).
    language_approvers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def has_steps(self) -> bool:
        return bool(self.steps)

    def roles_of(self, login: str) -> Roles:
        return Roles(
            tuple(step for step in self.steps if login in self.approvers.get(step, ())),
            tuple(locale for locale, logins in self.translators.items() if login in logins),
        )


def parse_people(approval: object, people: object, where: Where) -> People:
    """``[approval]`` and ``[people]`` (``None`` when absent) as a :class:`People`;
    ``where(*keys)`` names the file and line of a key, for the errors."""
    steps, self_approval, languages = _approval(approval, where)
    table = settings_table(people, where, "people")
    approvers: dict[str, tuple[str, ...]] = {}
    translators: dict[str, tuple[str, ...]] = {}
    for key, value in table.items():
        if key == TRANSLATORS:
            translators = _translators(value, where)
        elif key in steps:
            approvers[key] = _logins(value, where, "people", key)
        else:
            raise UserError(
                _("{key!r} is not an approval step").format(key=key),
                where=where("people", key),
                hint=_("name a step of [approval] steps ({names}) or 'translators'").format(
                    names=", ".join(steps) or "-"),
            )
    for step in steps:
        if step not in approvers:
            raise UserError(
                _("nobody may approve the step {step!r}").format(step=step),
                where=where("approval", "steps"),
                hint=_("list its user names in [people], e.g. {step} = [\"name\"]").format(
                    step=step),
            )
    return People(steps, self_approval, approvers, translators, languages)


def settings_table(value: object, where: Where, *keys: str) -> dict[str, object]:
    """A publisher.toml table as TOML gave it ({} when absent), or a one-line error."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UserError(_("[{name}] must be a table").format(name=".".join(keys)),
                        where=where(*keys))
    return value


def _approval(value: object, where: Where
              ) -> tuple[tuple[str, ...], bool, dict[str, tuple[str, ...]]]:
    table = settings_table(value, where, "approval")
    for key in table:
        if key not in ("steps", "self_approval", LANGUAGES):
            raise UserError(_("unknown setting {key!r}").format(key=f"approval.{key}"),
                            where=where("approval", key),
                            hint=_("known settings: {names}").format(
                                names="steps, self_approval, languages"))
    self_approval = table.get("self_approval", not table)
    if not isinstance(self_approval, bool):
        raise UserError(_("self_approval must be true or false"),
                        where=where("approval", "self_approval"))
    raw = table.get("steps", [])
    if not isinstance(raw, list) or not all(isinstance(step, str) for step in raw):
        raise UserError(_("steps must be a list of names in quotes"),
                        where=where("approval", "steps"),
                        hint=_("e.g. steps = [\"desk\", \"spokesperson\"]"))
    steps: list[str] = []
    for step in raw:
        if not _STEP.fullmatch(step) or step == TRANSLATORS:
            raise UserError(_("{step!r} is not a step name").format(step=step),
                            where=where("approval", "steps"),
                            hint=_("use lowercase letters, digits, - and _"))
        if step in steps:
            raise UserError(_("step {step!r} is listed twice").format(step=step),
                            where=where("approval", "steps"))
        steps.append(step)
    languages = _languages(table.get(LANGUAGES), where)
    for tag in languages:
        if tag in steps:
            raise UserError(_("{step!r} is both a step and a language").format(step=tag),
                            where=where("approval", LANGUAGES, tag),
                            hint=_("rename the step"))
    if table and not steps and not languages:
        raise UserError(_("[approval] names no steps"), where=where("approval"),
                        hint=_("e.g. steps = [\"desk\", \"spokesperson\"], or remove the table"))
    return tuple(steps), self_approval, languages


def _languages(value: object, where: Where) -> dict[str, tuple[str, ...]]:
    """``languages.sr = ["marko"]``: who clears each language's texts."""
    return _logins_by_locale(value, where, "approval", LANGUAGES)


def _translators(value: object, where: Where) -> dict[str, tuple[str, ...]]:
    """``translators.sr = ["marko"]``: who translates into each language."""
    return _logins_by_locale(value, where, "people", TRANSLATORS)


def _logins_by_locale(value: object, where: Where, table: str,
                      key: str) -> dict[str, tuple[str, ...]]:
    """A table of locales, each with its user names; a locale written twice (``sr`` and
    ``SR``) is refused."""
    found: dict[str, tuple[str, ...]] = {}
    for tag, logins in settings_table(value, where, table, key).items():
        try:
            locale = normalize_locale(tag)
        except UserError as error:
            raise UserError(error.message, where=where(table, key, tag),
                            hint=error.hint) from None
        if locale in found:
            raise UserError(_("locale {tag} is listed twice").format(tag=locale),
                            where=where(table, key, tag))
        found[locale] = _logins(logins, where, table, key, tag)
    return found


def _logins(value: object, where: Where, *keys: str) -> tuple[str, ...]:
    name = ".".join(keys[1:])
    if not isinstance(value, list) or not all(isinstance(login, str) for login in value):
        raise UserError(_("{name} must be a list of user names in quotes").format(name=name),
                        where=where(*keys), hint=_("e.g. {name} = [\"arta\"]").format(name=name))
    logins: list[str] = []
    for login in value:
        if not _LOGIN.fullmatch(login):
            raise UserError(_("{login!r} is not a user name").format(login=login),
                            where=where(*keys),
                            hint=_("use the user's name on the server, as 'whoami' prints it"))
        if login in logins:
            raise UserError(_("{login!r} is listed twice").format(login=login),
                            where=where(*keys))
        logins.append(login)
    if not logins:
        raise UserError(_("{name} names nobody").format(name=name), where=where(*keys),
                        hint=_("list user names, or remove the line"))
    return tuple(logins)
