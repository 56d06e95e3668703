"""A strict reading of a PO file's syntax, in one pass, before Babel sees it.

Babel's reader is lenient: it drops the first character of an unquoted
``msgstr``, reads an unterminated string without its last letter, merges two
entries with the same key and reads ``"a" "b"`` as ``a" "b``. A translation
read wrongly would be imported as current, so every line is checked here and
the first mistake is refused as ``FILE:LINE: what is wrong``.

The grammar (GNU gettext's, as translators' tools write it):

- blank lines; comments ``#`` (translator), ``#.``, ``#:``, ``#|``, and ``#,``
  flags (``fuzzy``, ``*-format``, ``wrap``, ``range: a..b``);
- an entry: ``[msgctxt S] msgid S (msgstr S | msgid_plural S msgstr[0] S ...)``
  where each S is one quoted string on the keyword's line, continued by lines
  holding one quoted string each; the only escapes are ``\\n \\t \\r \\" \\\\``
  (the ones Babel decodes);
- obsolete entries: the same lines behind ``#~`` (``#~|`` is a comment).

Each (msgctxt, msgid) appears in one entry at most, and every value is at most
``MAX_TEXT_CHARS`` characters. The result is the file's lines in the form
Babel reads exactly as they were checked here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from publisher.domain.errors import UserError
from publisher.domain.textrules import oversize
from publisher.i18n import _

# One quoted string, unrolled and possessive so that matching it is linear:
# runs of plain characters, each escape a backslash and one character.
_STRING = re.compile(r'"([^"\\]*+(?:\\.[^"\\]*+)*+)"', re.DOTALL)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_UNESCAPED = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)(?![\w\[])")
_FLAG = re.compile(r"fuzzy|(?:no-|possible-)?[a-z0-9+-]+-format|(?:no-)?wrap|range: *\d+\.\.\d+")
_SHAPE = '[msgctxt "…"] msgid "…" msgstr "…"'

# Which keyword may come after which ("" = between entries; msgstr[] = msgstr[n]).
_FOLLOWS = {
    "": ("msgctxt", "msgid"),
    "msgctxt": ("msgid",),
    "msgid": ("msgstr", "msgid_plural"),
    "msgid_plural": ("msgstr[]",),
    "msgstr": ("msgctxt", "msgid"),
    "msgstr[]": ("msgstr[]", "msgctxt", "msgid"),
}
# The same for the previous text (``#|`` lines, what a fuzzy entry's msgid was).
_PREVIOUS_FOLLOWS = {"": ("msgctxt", "msgid"), "msgctxt": ("msgid",), "msgid": ("msgid_plural",),
                     "msgid_plural": ()}
_PREVIOUS_SHAPE = '#| msgid "…"'


@dataclass
class _Entry:
    start: int  # the line of its first keyword
    kind: str = ""  # the last keyword, msgstr[n] as msgstr[]
    plural: int = -1  # the last n of msgstr[n]
    length: int = 0  # characters of the last keyword's value so far
    values: dict[str, list[str]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.kind in ("msgstr", "msgstr[]")

    def key(self) -> tuple[str | None, str]:
        context = self.values.get("msgctxt")
        return ("".join(context) if context is not None else None,
                "".join(self.values.get("msgid", [])))


def po_lines(text: str, where: str) -> list[str]:
    """The lines of a PO file, checked; raises UserError at the first mistake."""
    reader = _Reader(where)
    for number, raw in enumerate(text.split("\n"), start=1):
        reader.line(number, raw)
    reader.close_active()
    reader.close_obsolete()
    if reader.previous is not None:
        raise reader.previous_out_of_place()
    return reader.lines


@dataclass
class _Reader:
    where: str
    lines: list[str] = field(default_factory=list)
    active: _Entry | None = None
    obsolete: _Entry | None = None
    first_line_of: dict[tuple[str | None, str], int] = field(default_factory=dict)
    previous: _Entry | None = None  # ``#|`` lines read, waiting for their entry

    def fail(self, line: int, message: str, hint: str | None = None) -> UserError:
        return UserError(message, where=f"{self.where}:{line}", hint=hint)

    def line(self, number: int, raw: str) -> None:
        text = raw.strip()  # as Babel strips every line
        if "\r" in text:  # old Mac line ends: the whole file would read as one line
            raise self.fail(number, _("a carriage return inside a line"),
                            _("save the file with ordinary line ends"))
        if text and self.previous is not None and not text.startswith("#|"):
            self.end_previous(text)
        if not text:
            self.lines.append("")
        elif text.startswith("#|"):
            self.close_active()
            self.close_obsolete()
            self.previous_line(number, text[2:].strip())
            self.lines.append(text)
        elif text.startswith("#~"):
            self.close_active()
            rest = text[2:].lstrip()
            if not rest or rest.startswith("|"):  # "#~|": an obsolete previous msgid
                self.lines.append("")
            else:
                self.lines.append("#~ " + self.statement(number, rest, obsolete=True))
        elif text.startswith("#"):
            self.close_active()
            self.close_obsolete()
            self.comment(number, text)
            self.lines.append(text)
        else:
            self.close_obsolete()
            self.lines.append(self.statement(number, text, obsolete=False))

    def previous_line(self, number: int, rest: str) -> None:
        """A ``#|`` line: as GNU msgfmt reads them, ``[msgctxt S] msgid S [msgid_plural S]``
        right before the entry's own msgctxt or msgid."""
        if not rest:
            return
        found = _KEYWORD.match(rest)
        if found is None:
            if self.previous is None or not rest.startswith('"'):
                raise self.fail(number, _("a #| line holds msgctxt, msgid or msgid_plural "
                                          "and a quoted string"), _PREVIOUS_SHAPE)
            self.value(number, self.previous, rest, _last_word(self.previous))
            return
        word, entry = found.group(1), self.previous or _Entry(number)
        if word not in _PREVIOUS_FOLLOWS.get(entry.kind, ()):
            raise self.fail(number, _("#| {keyword} cannot follow {previous}").format(
                keyword=word, previous=entry.kind or "#"), _PREVIOUS_SHAPE)
        entry.kind, entry.length = word, 0
        entry.values[word] = []
        self.previous = entry
        body = rest[found.end():].lstrip(" \t")
        if body == rest[found.end():]:
            raise self.fail(number, _("{keyword}: the text must be in double quotes").format(
                keyword=word), f'#| {word} "…"')
        self.value(number, entry, body, word)

    def end_previous(self, text: str) -> None:
        """The ``#|`` lines are over: the entry they describe must start here."""
        opens_entry = not text.startswith("#") and text.startswith(("msgctxt", "msgid"))
        if not opens_entry or self.previous is None or self.previous.kind == "msgctxt":
            raise self.previous_out_of_place()
        self.previous = None

    def previous_out_of_place(self) -> UserError:
        start = self.previous.start if self.previous else 0
        return self.fail(start, _("#| lines must end with #| msgid and come right before "
                                  "their entry's msgctxt or msgid"), _PREVIOUS_SHAPE)

    def comment(self, number: int, text: str) -> None:
        if text.startswith("#-"):
            raise self.fail(number, _("msgcat conflict markers (#-#-#-#-#)"),
                            _("resolve the conflict, keep one translation"))
        if text.startswith("#,"):
            for flag in (part.strip() for part in text[2:].split(",")):
                if not _FLAG.fullmatch(flag):
                    raise self.fail(number, _("unknown flag {flag!r}").format(flag=flag),
                                    _("known flags: fuzzy, wrap, no-wrap, range:, *-format"))

    def statement(self, number: int, text: str, *, obsolete: bool) -> str:
        """A keyword line or a string line, checked; returned as Babel should read it."""
        found = _KEYWORD.match(text)
        if found is None:
            entry = self.obsolete if obsolete else self.active
            if not text.startswith('"'):
                raise self.fail(number, _("unknown keyword {word!r}").format(
                    word=text.split(None, 1)[0][:40]), _SHAPE)
            if entry is None:
                raise self.fail(number, _("a string without a keyword before it"), _SHAPE)
            self.value(number, entry, text, _last_word(entry))
            return text
        word = found.group(1)
        entry = self.keyword(number, word, found.group(2), obsolete=obsolete)
        rest = text[found.end():]
        body = rest.lstrip(" \t")
        if body == rest:  # nothing between keyword and string (or no string)
            raise self.fail(number, _("{keyword}: the text must be in double quotes").format(
                keyword=word), f'{word} "…"')
        self.value(number, entry, body, word)
        return f"{word} {body}"

    def keyword(self, number: int, word: str, index: str | None, *, obsolete: bool) -> _Entry:
        entry = self.obsolete if obsolete else self.active
        kind = "msgstr[]" if index is not None else word
        previous = entry.kind if entry else ""
        if kind not in _FOLLOWS[previous]:
            if entry is not None and not entry.complete:
                raise self.fail(number, _("{keyword} cannot follow {previous}").format(
                    keyword=word, previous=previous), _SHAPE)
            raise self.fail(number, _("{keyword} without msgid before it").format(keyword=word),
                            _SHAPE)
        if entry is None or (entry.complete and kind != "msgstr[]"):
            if obsolete:
                self.close_obsolete()
                entry = self.obsolete = _Entry(number)
            else:
                self.close_active()
                entry = self.active = _Entry(number)
        if kind == "msgstr[]":
            if index != str(entry.plural + 1):
                raise self.fail(number, _("expected msgstr[{index}]").format(
                    index=entry.plural + 1))
            entry.plural += 1
        entry.kind, entry.length = kind, 0
        entry.values[word] = []
        return entry

    def value(self, number: int, entry: _Entry, text: str, word: str) -> None:
        """Add the one quoted string ``text`` holds to the value of ``word``."""
        if not text.startswith('"'):
            raise self.fail(number, _("{keyword}: the text must be in double quotes").format(
                keyword=word), f'{word} "…"')
        match = _STRING.match(text)
        if match is None:
            raise self.fail(number, _('the string is not closed: a " is missing at its end'),
                            _('write \\" for a quote inside the text'))
        if match.end() != len(text):
            raise self.fail(number, _("text after the closing quote"),
                            _('one string per line; write \\" for a quote inside the text'))
        for escape in _ESCAPE.finditer(match.group(1)):
            if escape.group(1) not in _UNESCAPED:
                raise self.fail(number, _("unknown escape {escape}").format(
                    escape=escape.group(0)), _("write \\\\ for a backslash"))
        decoded = _ESCAPE.sub(lambda found: _UNESCAPED[found.group(1)], match.group(1))
        entry.length += len(decoded)
        problem = oversize(entry.length)
        if problem:
            raise self.fail(number, f"{word}: {problem}", _("split it into several posts"))
        entry.values[word].append(decoded)

    def close_active(self) -> None:
        """The entry in progress ends: it needs its msgstr, and its key must be new."""
        entry, self.active = self.active, None
        if entry is None:
            return
        self.check_complete(entry)
        key = entry.key()
        if key in self.first_line_of:
            shown = key[0] if key[0] is not None else key[1][:40]
            raise self.fail(entry.start, _(
                "a second entry for {key!r} (the first is on line {line})").format(
                    key=shown, line=self.first_line_of[key]), _("keep one of them"))
        self.first_line_of[key] = entry.start

    def close_obsolete(self) -> None:
        entry, self.obsolete = self.obsolete, None
        if entry is not None:
            self.check_complete(entry)

    def check_complete(self, entry: _Entry) -> None:
        if not entry.complete:
            raise self.fail(entry.start, _("this entry has no msgstr"), _SHAPE)


def _last_word(entry: _Entry) -> str:
    return next(reversed(entry.values))
