"""Holding statements: drafts whose texts hold ``{placeholders}``, filled in a crisis.

A draft with ``template = true`` is written, translated and approved ahead of time;
``publisher crisis use`` makes a new draft from it with every placeholder replaced.

A placeholder is a name in braces, ``{place}``; a name is ``[a-z][a-z0-9_]*``.
``{{`` and ``}}`` stand for a literal ``{`` and ``}`` (as in Python's ``str.format``);
a lone ``}`` is kept as written. A ``{`` that opens no placeholder is a mistake, never
sent as written: a typo such as ``{Place}`` or ``{place`` must not reach the public.

Values come from ``--set name=value``; ``--set name.LOCALE=value`` overrides one
locale. Serbian Latin takes its own override, else the Serbian one transliterated,
else the value for every locale (as sr-Latn derives from sr everywhere).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from publisher.domain.drafts import AccountText, Draft, Media, Variant
from publisher.domain.errors import UserError
from publisher.domain.locales import DERIVED_FROM, normalize_locale, normalized_text
from publisher.i18n import _

NAME = re.compile(r"[a-z][a-z0-9_]*")
# A doubled brace, a placeholder, or a brace alone (in that order of preference).
_TOKEN = re.compile(r"\{\{|\}\}|\{([a-z][a-z0-9_]*)\}|\{|\}")
_EXCERPT = 24  # characters of the text shown around a stray brace


@dataclass(frozen=True)
class Placeholder:
    name: str


Piece = str | Placeholder


def parse_template(text: str, where: str | None = None) -> tuple[Piece, ...]:
    """The literal pieces and placeholders of ``text``, in order (literal pieces with
    their escapes undone). A ``{`` that opens no placeholder is a UserError at ``where``."""
    pieces: list[Piece] = []
    literal: list[str] = []
    start = 0
    for match in _TOKEN.finditer(text):
        literal.append(text[start:match.start()])
        start = match.end()
        token = match.group(0)
        if match.group(1) is not None:
            if literal:
                pieces.append("".join(literal))
                literal = []
            pieces.append(Placeholder(match.group(1)))
        elif token in ("{{", "}}", "}"):
            literal.append(token[0])
        else:
            raise _stray_brace(text, match.start(), where)
    literal.append(text[start:])
    if any(literal):
        pieces.append("".join(literal))
    return tuple(piece for piece in pieces if piece != "")


def _stray_brace(text: str, index: int, where: str | None) -> UserError:
    excerpt = text[index:index + _EXCERPT]
    return UserError(
        _("'{excerpt}': this '{{' opens no placeholder (a name of a-z, 0-9 and _ in "
          "braces)").format(excerpt=" ".join(excerpt.split())),
        where=where, hint=_("write {{ for a brace that stays in the text"))


def escape(text: str) -> str:
    """``text`` as a template's literal text: its braces doubled."""
    return text.replace("{", "{{").replace("}", "}}")


def placeholders(text: str, where: str | None = None) -> tuple[str, ...]:
    """The names of the placeholders in ``text``, each once, in order of appearance."""
    names: dict[str, None] = {}
    for piece in parse_template(text, where):
        if isinstance(piece, Placeholder):
            names[piece.name] = None
    return tuple(names)


@dataclass(frozen=True)
class Filled:
    text: str  # the placeholders left keep their "{name}"
    left: tuple[str, ...]  # placeholders without a value, each once


def fill(text: str, values: Mapping[str, str], where: str | None = None) -> Filled:
    """``text`` with every placeholder that has a value replaced (escapes undone)."""
    out: list[str] = []
    left: dict[str, None] = {}
    for piece in parse_template(text, where):
        if isinstance(piece, str):
            out.append(piece)
        elif piece.name in values:
            out.append(values[piece.name])
        else:
            out.append("{" + piece.name + "}")
            left[piece.name] = None
    return Filled("".join(out), tuple(left))


# --set NAME[.LOCALE]=VALUE


@dataclass(frozen=True)
class Assignment:
    name: str
    locale: str | None  # None: every locale without its own value
    value: str

    @property
    def key(self) -> str:
        return f"{self.name}.{self.locale}" if self.locale else self.name


class ValueProblem(UserError):
    """A value given for a placeholder is wrong; ``where`` is its NAME[.LOCALE] (None
    when there is none yet). The front end says which option it came from."""


_EXAMPLE = "place=Skopje, place.sr=Скопље"


def parse_assignment(text: str) -> Assignment:
    """One value: ``name=value`` or ``name.LOCALE=value``; a :class:`ValueProblem` for
    anything else (any string gives one or the other)."""
    key, equals, value = text.partition("=")
    example = _("e.g. {example}").format(example=_EXAMPLE)
    if not equals:
        raise ValueProblem(_("{text!r} is not NAME=VALUE").format(text=text), hint=example)
    name, dot, tag = key.partition(".")
    if not NAME.fullmatch(name):
        raise ValueProblem(
            _("{name!r} is not a placeholder name (a-z, then a-z, 0-9 or _)").format(
                name=name), hint=example)
    locale = None
    if dot:
        try:
            locale = normalize_locale(tag)
        except UserError:
            raise ValueProblem(_("{tag!r} is not a locale").format(tag=tag), where=key,
                               hint=_("use sq, en, sr or sr-Latn")) from None
    if not _printable(value):
        raise ValueProblem(_("the value holds a control character"), where=key,
                           hint=_("give it as plain text"))
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        raise ValueProblem(_("the value is empty"), where=key,
                           hint=_("give the text that replaces {{{name}}}").format(name=name))
    return Assignment(name, locale, value)


def _printable(value: str) -> bool:
    """No control character but line breaks and tabs, no lone surrogate."""
    return not any(
        (unicodedata.category(char) == "Cc" and char not in "\n\t")
        or unicodedata.category(char) == "Cs" for char in value)


@dataclass(frozen=True)
class Values:
    """Every ``--set`` of one ``crisis use``."""

    assignments: tuple[Assignment, ...]

    def for_locale(self, locale: str) -> dict[str, str]:
        """The values of ``locale``: its own overrides, then (for sr-Latn) Serbian's
        transliterated, then the values for every locale."""
        from publisher.domain.serbian import to_latin

        values = {a.name: a.value for a in self.assignments if a.locale is None}
        base = DERIVED_FROM.get(locale)
        if base is not None:
            values.update({a.name: to_latin(a.value) for a in self.assignments
                           if a.locale == base})
        values.update({a.name: a.value for a in self.assignments if a.locale == locale})
        return values

    def as_record(self) -> dict[str, str]:
        """``{"place": "Skopje", "place.sr": "Скопље"}``, for the history."""
        return {a.key: a.value for a in self.assignments}


def collect_values(texts: Iterable[str]) -> Values:
    """The values given (``--set``), each parsed; a name (and locale) given twice is
    refused."""
    seen: dict[str, Assignment] = {}
    for text in texts:
        assignment = parse_assignment(text)
        if assignment.key in seen:
            raise ValueProblem(_("given twice"), where=assignment.key,
                               hint=_("keep one of them"))
        seen[assignment.key] = assignment
    return Values(tuple(seen.values()))


# A whole draft


@dataclass(frozen=True)
class TemplateText:
    """One text of a template: its locale, where it is in the file, and the text."""

    locale: str
    path: str  # e.g. "variants.en.thread[2]"
    text: str


def template_texts(draft: Draft) -> list[TemplateText]:
    """Every text a template writes: each variant's text, thread, first comment,
    content warning and accounts' own texts, and the images' alt texts."""
    texts: list[TemplateText] = []
    for tag, variant in draft.variants.items():
        base = f"variants.{tag}"
        texts.append(TemplateText(tag, f"{base}.text", variant.text))
        texts += [TemplateText(tag, f"{base}.thread[{n}]", part)
                  for n, part in enumerate(variant.thread, start=1)]
        texts.append(TemplateText(tag, f"{base}.first_comment", variant.first_comment))
        texts.append(TemplateText(tag, f"{base}.content_warning", variant.content_warning))
        for account_id, own in variant.accounts.items():
            here = f"{base}.accounts.{account_id}"
            texts.append(TemplateText(tag, f"{here}.text", own.text))
            texts += [TemplateText(tag, f"{here}.thread[{n}]", part)
                      for n, part in enumerate(own.thread, start=1)]
            texts.append(TemplateText(tag, f"{here}.first_comment", own.first_comment))
    for media in draft.media:
        texts += [TemplateText(tag, f"media.{media.file}.alt.{tag}", alt)
                  for tag, alt in media.alt.items()]
    return [text for text in texts if text.text]


def draft_placeholders(draft: Draft, where: str = "") -> dict[str, tuple[str, ...]]:
    """Each placeholder of a template, with the locales whose texts hold it (in order
    of appearance). A stray brace is a UserError naming the file and the field."""
    found: dict[str, dict[str, None]] = {}
    for text in template_texts(draft):
        for name in placeholders(text.text, _where(where, text.path)):
            found.setdefault(name, {})[text.locale] = None
    return {name: tuple(locales) for name, locales in found.items()}


def _where(where: str, path: str) -> str:
    return f"{where}: {path}" if where else path


def check_values(draft: Draft, values: Values, where: str = "") -> None:
    """Refuse a ``--set`` of a placeholder the template does not have (in that locale,
    for a locale's own value)."""
    found = draft_placeholders(draft, where)
    names = ", ".join(found) or _("none")
    for assignment in values.assignments:
        if assignment.name not in found:
            raise ValueProblem(
                _("the template has no placeholder {{{name}}}").format(name=assignment.name),
                where=assignment.key,
                hint=_("its placeholders: {names}").format(names=names))
        locale = assignment.locale
        if locale is not None and locale not in found[assignment.name]:
            base = DERIVED_FROM.get(locale)
            raise ValueProblem(
                _("no {locale} text of the template holds {{{name}}}").format(
                    locale=locale, name=assignment.name),
                where=assignment.key,
                hint=_("sr-Latn is transliterated from sr: give {name}.{base}").format(
                    name=assignment.name, base=base) if base else
                _("it is in: {locales}").format(locales=", ".join(found[assignment.name])))


def fill_draft(template: Draft, values: Values, new_id: str, where: str = "") -> Draft:
    """The draft a template makes with ``values``: every text filled, not a template,
    approved as the template was, and each translation as current as it was in the
    template (its ``from_source`` moved to the filled source). A placeholder left
    without a value in any text is a UserError naming each one and its locales."""
    check_values(template, values, where)
    left: dict[str, dict[str, None]] = {}
    by_locale = {tag: values.for_locale(tag) for tag in
                 {*template.variants, *(t for m in template.media for t in m.alt)}}

    def filled(locale: str, path: str) -> Callable[[str], str]:
        def one(text: str) -> str:
            if not text:
                return text
            result = fill(text, by_locale[locale], _where(where, path))
            for name in result.left:
                left.setdefault(name, {})[locale] = None
            return normalized_text(result.text)
        return one

    variants = {tag: _filled_variant(variant, filled(tag, f"variants.{tag}"))
                for tag, variant in template.variants.items()}
    media = tuple(Media(m.file, {tag: filled(tag, f"media.{m.file}.alt")(alt)
                                 for tag, alt in m.alt.items()}) for m in template.media)
    if left:
        raise UserError(
            _("no value for {names}").format(names=", ".join(
                f"{{{name}}} ({', '.join(locales)})" for name, locales in left.items())),
            where=where or None,
            hint=_("give each one a value; nothing was written"))
    draft = replace(template, id=new_id, template=False, variants=variants, media=media)
    return _restamped(template, draft)


def _filled_variant(variant: Variant, one: Callable[[str], str]) -> Variant:
    return replace(
        variant, text=one(variant.text), thread=tuple(one(p) for p in variant.thread),
        first_comment=one(variant.first_comment),
        content_warning=one(variant.content_warning),
        accounts={account_id: replace(own, text=one(own.text),
                                      thread=tuple(one(p) for p in own.thread),
                                      first_comment=one(own.first_comment))
                  for account_id, own in variant.accounts.items()})


def _restamped(template: Draft, draft: Draft) -> Draft:
    """A translation current in the template stays current in the draft (it was made
    from the same source, placeholders aside); a stale one stays stale."""
    was, now = template.source_fingerprint, draft.source_fingerprint
    variants = {}
    for tag, variant in draft.variants.items():
        own = {account_id: _own_restamped(template, draft, text)
               for account_id, text in variant.accounts.items()}
        origin = now if variant.from_source == was else variant.from_source
        variants[tag] = replace(variant, from_source=origin, accounts=own)
    return replace(draft, variants=variants)


def _own_restamped(template: Draft, draft: Draft, own: AccountText) -> AccountText:
    if own.from_source == template.own_source_fingerprint(own.account_id):
        return replace(own, from_source=draft.own_source_fingerprint(own.account_id))
    return own


__all__ = [
    "Assignment",
    "Filled",
    "Placeholder",
    "ValueProblem",
    "Values",
    "collect_values",
    "draft_placeholders",
    "escape",
    "fill",
    "fill_draft",
    "parse_assignment",
    "parse_template",
    "placeholders",
    "template_texts",
]
