"""Subtitles of a video as translatable text: SRT and WebVTT cues, read, written and checked.

A cue is its timing and its text (lines joined by "\\n"). What the parsers accept:

- a UTF-8 BOM, CRLF or CR line ends;
- SRT: a cue's number line is optional (a file that lost its numbers still reads; they
  are written again in order), ``,`` or ``.`` before the milliseconds;
- WebVTT: the ``WEBVTT`` header (and what follows it up to the first blank line), cue
  identifiers, hours left out (``00:04.200``); ``NOTE``, ``STYLE`` and ``REGION`` blocks
  are skipped; a cue's settings (``align:start``...) are kept with its timing.

Tags (``<i>``, ``<b>``, ``<c.yellow>``...) stay in the text as written, so that a
translator sees them and keeps them; the checks count the characters a viewer sees
(tags left out). A cue without text is refused (a PO file has no empty entries).
Anything else is a :class:`SubtitleError` naming the line.

The checks (:func:`check_cues`) give warnings, never errors, with the numbers of
common subtitling guides: at most 42 characters a line and 2 lines a cue, a cue shown
between 0.7 and 7 seconds, a reading speed of at most 21 characters a second, a cue
ending after it starts and before the next one starts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from publisher.domain.errors import UserError
from publisher.i18n import _, ngettext

MAX_LINE_CHARS = 42
MAX_LINES = 2
MIN_DURATION_MS = 700
MAX_DURATION_MS = 7_000
MAX_CHARS_PER_SECOND = 21

_SRT_TIME = r"(\d+):([0-5]\d):([0-5]\d)[,.](\d{3})"
_SRT_TIMING = re.compile(rf"{_SRT_TIME}\s*-->\s*{_SRT_TIME}")
_VTT_TIME = r"(?:(\d+):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_VTT_TIMING = re.compile(rf"{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t]+(?P<settings>.*))?")
_TAG = re.compile(r"<[^>]*>")
_VTT_SKIPPED = re.compile(r"(NOTE|STYLE|REGION)(?:[ \t].*)?")


class SubtitleError(UserError):
    """A subtitle file that cannot be read; ``where`` names the file and line."""


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str
    # WebVTT cue settings (``line:0 align:start``), kept as written; SRT has none.
    settings: str = ""

    @property
    def timing(self) -> str:
        """``00:00:04.200 --> 00:00:06.000``: how PO entries and messages name a cue."""
        return f"{vtt_time(self.start_ms)} --> {vtt_time(self.end_ms)}"


def _lines(text: str) -> list[str]:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _blocks(lines: list[str], first: int = 0) -> Iterable[tuple[int, list[str]]]:
    """Runs of non-blank lines, each with the (1-based) number of its first line."""
    block: list[str] = []
    start = 0
    for number, line in enumerate(lines[first:], start=first + 1):
        if line.strip():
            if not block:
                start = number
            block.append(line.rstrip())
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _fail(where: str, line: int, message: str, hint: str | None = None) -> SubtitleError:
    return SubtitleError(message, where=f"{where}:{line}" if where else f"{line}", hint=hint)


def _ms(hours: str | None, minutes: str, seconds: str, millis: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def _cue_text(block: list[str], first: int, where: str, start: int) -> str:
    for offset, line in enumerate(block[first:], start=first):
        if "-->" in line:
            raise _fail(where, start + offset, _("a timing line inside a cue's text"),
                        _("put a blank line between two cues"))
    text = "\n".join(block[first:])
    if not text:
        raise _fail(where, start, _("a cue without text"), _("write its text, or remove it"))
    return text


def parse_srt(text: str, where: str = "") -> tuple[Cue, ...]:
    """The cues of an SubRip (.srt) file; a SubtitleError names the first bad line."""
    cues = []
    for start, block in _blocks(_lines(text)):
        timing_at = 1 if block[0].strip().isdigit() and len(block) > 1 else 0
        match = _SRT_TIMING.fullmatch(block[timing_at].strip())
        if match is None:
            raise _fail(where, start + timing_at, _("not a cue's timing line"),
                        _("e.g. 00:00:04,200 --> 00:00:06,000"))
        groups = match.groups()
        cues.append(Cue(_ms(*groups[:4]), _ms(*groups[4:]),
                        _cue_text(block, timing_at + 1, where, start)))
    return tuple(cues)


def parse_vtt(text: str, where: str = "") -> tuple[Cue, ...]:
    """The cues of a WebVTT (.vtt) file; a SubtitleError names the first bad line."""
    lines = _lines(text)
    if not re.fullmatch(r"WEBVTT(?:[ \t].*)?", lines[0].rstrip()):
        raise _fail(where, 1, _("a WebVTT file starts with the line WEBVTT"))
    header_end = next((index for index, line in enumerate(lines) if not line.strip()),
                      len(lines))
    for number, line in enumerate(lines[1:header_end], start=2):
        if "-->" in line:
            raise _fail(where, number, _("a cue inside the WEBVTT header"),
                        _("put a blank line after the header"))
    cues = []
    for start, block in _blocks(lines, header_end):
        if _VTT_SKIPPED.fullmatch(block[0]):
            continue
        timing_at = 0 if "-->" in block[0] else 1
        match = _VTT_TIMING.fullmatch(block[timing_at].strip()) if timing_at < len(block) \
            else None
        if match is None:
            raise _fail(where, start + timing_at, _("not a cue's timing line"),
                        _("e.g. 00:00:04.200 --> 00:00:06.000"))
        groups = match.groups()
        cues.append(Cue(_ms(*groups[:4]), _ms(*groups[4:8]),
                        _cue_text(block, timing_at + 1, where, start),
                        (match["settings"] or "").strip()))
    return tuple(cues)


def parse_subtitles(text: str, suffix: str, where: str = "") -> tuple[Cue, ...]:
    """The cues of a file ending in ``suffix`` (``.srt`` or ``.vtt``)."""
    if suffix.lower() == ".vtt":
        return parse_vtt(text, where)
    if suffix.lower() == ".srt":
        return parse_srt(text, where)
    raise SubtitleError(_("not a subtitle file (.srt or .vtt)"), where=where or None)


def _clock(ms: int, separator: str) -> str:
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def vtt_time(ms: int) -> str:
    return _clock(ms, ".")


def render_srt(cues: Sequence[Cue]) -> str:
    blocks = [f"{number}\n{_clock(cue.start_ms, ',')} --> {_clock(cue.end_ms, ',')}\n{cue.text}"
              for number, cue in enumerate(cues, start=1)]
    return "\n\n".join(blocks) + "\n"


def render_vtt(cues: Sequence[Cue]) -> str:
    blocks = ["WEBVTT"]
    for cue in cues:
        settings = f" {cue.settings}" if cue.settings else ""
        blocks.append(f"{cue.timing}{settings}\n{cue.text}")
    return "\n\n".join(blocks) + "\n"


def render_subtitles(cues: Sequence[Cue], suffix: str) -> str:
    return render_vtt(cues) if suffix.lower() == ".vtt" else render_srt(cues)


def cues_fingerprint(cues: Sequence[Cue]) -> str:
    """Eight hex digits naming the cues (timing and text): what ``subtitles_from``
    records, so that a changed source marks its translations stale."""
    digest = hashlib.sha256()
    for cue in cues:
        digest.update(f"{cue.start_ms}-{cue.end_ms}\n{cue.text}\n\n".encode())
    return digest.hexdigest()[:8]


def same_timing(first: Sequence[Cue], second: Sequence[Cue]) -> bool:
    return len(first) == len(second) and all(
        (a.start_ms, a.end_ms) == (b.start_ms, b.end_ms) for a, b in zip(first, second,
                                                                       strict=True))


def to_latin(cues: Sequence[Cue]) -> tuple[Cue, ...]:
    """Serbian Latin cues from Cyrillic ones: the text transliterated, the timing kept."""
    from publisher.domain.serbian import to_latin as latin

    return tuple(Cue(cue.start_ms, cue.end_ms, latin(cue.text), cue.settings) for cue in cues)


def visible(text: str) -> str:
    """The text a viewer sees: tags left out."""
    return _TAG.sub("", text)


def check_cues(cues: Sequence[Cue]) -> list[str]:
    """Warnings about timing and line lengths (see the module's notes for the numbers)."""
    warnings: list[str] = []
    for number, cue in enumerate(cues, start=1):
        label = _("cue {number} ({at})").format(number=number, at=vtt_time(cue.start_ms))
        warnings.extend(f"{label}: {problem}" for problem in _cue_problems(cue))
        following = cues[number] if number < len(cues) else None
        if following is not None and following.start_ms < cue.end_ms:
            warnings.append(f"{label}: " + _("overlaps the next cue"))
    return warnings


def _cue_problems(cue: Cue) -> list[str]:
    problems = []
    lines = visible(cue.text).split("\n")
    if len(lines) > MAX_LINES:
        problems.append(ngettext("{count} line; at most {most} fit",
                                 "{count} lines; at most {most} fit", len(lines)).format(
            count=len(lines), most=MAX_LINES))
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_CHARS:
            problems.append(ngettext(
                "line {number} has {count} character; at most {most} fit",
                "line {number} has {count} characters; at most {most} fit", len(line))
                .format(number=number, count=len(line), most=MAX_LINE_CHARS))
    duration = cue.end_ms - cue.start_ms
    if duration <= 0:
        problems.append(_("does not end after it starts"))
        return problems
    if duration < MIN_DURATION_MS:
        problems.append(_("shown {seconds:.1f} s; at least {least:.1f} s to be read").format(
            seconds=duration / 1000, least=MIN_DURATION_MS / 1000))
    elif duration > MAX_DURATION_MS:
        problems.append(_("shown {seconds:.1f} s; at most {most:.0f} s").format(
            seconds=duration / 1000, most=MAX_DURATION_MS / 1000))
    speed = len("".join(lines)) * 1000 / duration
    if speed > MAX_CHARS_PER_SECOND:
        problems.append(_("{speed:.0f} characters a second; at most {most} can be read")
                        .format(speed=speed, most=MAX_CHARS_PER_SECOND))
    return problems
