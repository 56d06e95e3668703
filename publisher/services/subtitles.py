"""The subtitles of a draft's videos: their cues, translation states, checks and the file
each locale's posts send.

A video's ``subtitles.<locale>`` names a file (SRT or WebVTT) under media/. A locale
other than the source is *stale* when ``subtitles_from.<locale>`` (written by a PO
import) is not the fingerprint of the source's cues any more; without it (a file put
there by hand) it is taken as current, as a variant without ``from_source``. Serbian
Latin without a file of its own is derived from the Serbian Cyrillic one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from publisher.domain.drafts import Draft, Media, TranslationState
from publisher.domain.errors import UserError
from publisher.domain.locales import DERIVED_FROM
from publisher.domain.subtitles import (
    Cue,
    check_cues,
    cues_fingerprint,
    parse_subtitles,
    render_subtitles,
    to_latin,
)
from publisher.i18n import _, ngettext
from publisher.services.context import Context
from publisher.storage.bounded import decode_utf8, read_bounded


@dataclass(frozen=True)
class SubtitleStatus:
    """One video's subtitles in one locale."""

    media: str  # the video's file
    locale: str
    state: TranslationState
    file: str | None = None  # the file written for the locale (or derived from)
    derived: bool = False  # made from another locale's file (sr-Latn from sr)
    cues: int = 0
    warnings: int = 0
    error: str = ""  # why the file cannot be read ("" when it can)


def videos_with_subtitles(draft: Draft) -> list[Media]:
    return [media for media in draft.media if media.is_video and media.subtitles]


def _draft_where(context: Context, draft: Draft) -> str:
    return context.workspace.relative(context.drafts.path_of(draft.id))


def read_cues(context: Context, draft: Draft, file: str) -> tuple[Cue, ...]:
    """The cues of one of the draft's subtitle files; a UserError when it is missing,
    outside media/ or not a subtitle file."""
    path = context.workspace.media_file(file, _draft_where(context, draft), _field(draft, file))
    text = decode_utf8(read_bounded(path, file), file)
    return parse_subtitles(text, PurePosixPath(file).suffix, file)


def _field(draft: Draft, file: str) -> str:
    """The draft's key that names ``file`` (for messages): media.subtitles.<locale>."""
    for media in draft.media:
        for locale, named in media.subtitles.items():
            if named == file:
                return f"media.subtitles.{locale}"
    return "media.subtitles"


def cues_for(context: Context, draft: Draft, media: Media,
             locale: str) -> tuple[Cue, ...] | None:
    """The cues of ``media`` in ``locale``: its file, or Serbian Latin made from the
    Serbian Cyrillic one; None when it has none."""
    if locale in media.subtitles:
        return read_cues(context, draft, media.subtitles[locale])
    base = DERIVED_FROM.get(locale)
    if base is not None and base in media.subtitles:
        return to_latin(read_cues(context, draft, media.subtitles[base]))
    return None


def _source_fingerprint(context: Context, draft: Draft, media: Media) -> str | None:
    try:
        cues = cues_for(context, draft, media, draft.source)
    except UserError:
        return None  # an unreadable source says so itself; its translations are not judged
    return cues_fingerprint(cues) if cues is not None else None


def subtitle_status(context: Context, draft: Draft, media: Media,
                    locale: str) -> SubtitleStatus:
    base = DERIVED_FROM.get(locale)
    derived = locale not in media.subtitles and base in media.subtitles
    written = locale if not derived else base
    if written is None or written not in media.subtitles:
        return SubtitleStatus(media.file, locale, TranslationState.MISSING)
    file = media.subtitles[written]
    try:
        cues = cues_for(context, draft, media, locale) or ()
    except UserError as error:
        return SubtitleStatus(media.file, locale, TranslationState.MISSING, file, derived,
                              error=str(error))
    origin = media.subtitles_from.get(written)
    stale = (written != draft.source and origin is not None
             and origin != _source_fingerprint(context, draft, media))
    state = (TranslationState.STALE if stale else
             TranslationState.APPROVED if draft.approved else TranslationState.TRANSLATED)
    return SubtitleStatus(media.file, locale, state, file, derived, len(cues),
                          len(check_cues(cues)))


def subtitle_states(context: Context, draft: Draft,
                    locales: list[str]) -> list[SubtitleStatus]:
    """Every video's subtitles (those with a file in some locale) in each of ``locales``."""
    return [subtitle_status(context, draft, media, locale)
            for media in videos_with_subtitles(draft) for locale in locales]


def subtitle_warnings(context: Context, draft: Draft) -> list[str]:
    """The checks' warnings of every subtitle file the draft names, each after its file;
    a file that cannot be read is said too (scheduling refuses it)."""
    warnings = []
    for media in videos_with_subtitles(draft):
        for locale, file in media.subtitles.items():
            try:
                cues = read_cues(context, draft, file)
            except UserError as error:
                warnings.append(f"{draft.id}: {error}")
                continue
            warnings.extend(f"{draft.id}: {file} ({locale}): {warning}"
                            for warning in check_cues(cues))
    return warnings


def check_for_scheduling(context: Context, draft: Draft) -> list[str]:
    """The checks' warnings of the draft's subtitles; a file that is missing or cannot
    be read is a UserError (nothing is queued)."""
    warnings: list[str] = []
    for media in videos_with_subtitles(draft):
        for locale, file in media.subtitles.items():
            warnings.extend(f"{draft.id}: {file} ({locale}): {warning}"
                            for warning in check_cues(read_cues(context, draft, file)))
    return warnings


def subtitle_file_for(context: Context, draft: Draft, media: Media, locale: str) -> Path | None:
    """The subtitle file to send with ``media`` in ``locale``: the one the draft names,
    or (Serbian Latin from Cyrillic) one made and kept under ``media/.subtitles/``, named
    by its SHA-256; None when the video has none in that locale. A file that cannot be
    read is a UserError."""
    if locale in media.subtitles:
        read_cues(context, draft, media.subtitles[locale])  # refuse what cannot be sent
        return context.workspace.media_file(media.subtitles[locale], _draft_where(context, draft),
                                            f"media.subtitles.{locale}")
    cues = cues_for(context, draft, media, locale)
    if cues is None:
        return None
    suffix = PurePosixPath(media.subtitles[DERIVED_FROM[locale]]).suffix.lower()
    data = render_subtitles(cues, suffix).encode("utf-8")
    relative = context.workspace.keep_subtitles(data, suffix.lstrip("."))
    return context.workspace.home / relative


def target_name(source_file: str, source_locale: str, locale: str) -> str:
    """Where a translation goes: next to the source, ``media/<stem>.<locale>.<ext>``, the
    stem being the source's name without its locale (``statement.sq.srt`` ->
    ``statement.en.srt``; ``statement.srt`` -> ``statement.en.srt``)."""
    path = PurePosixPath(source_file)
    stem = path.stem
    if stem.lower().endswith("." + source_locale.lower()):
        stem = stem[: -len(source_locale) - 1]
    return str(path.with_name(f"{stem}.{locale}{path.suffix}"))


def describe_status(status: SubtitleStatus) -> str:
    """One line for people: the file, its state, how many cues and warnings."""
    if status.error:
        return _("{file}: cannot be read: {error}").format(file=status.file,
                                                             error=status.error)
    if status.file is None:
        return _(TranslationState.MISSING.value)
    counts = {
        "state": _(status.state.value),
        "cues": ngettext("{count} cue", "{count} cues", status.cues).format(
            count=status.cues),
        "warnings": ngettext("{count} warning", "{count} warnings", status.warnings).format(
            count=status.warnings),
    }
    if status.derived:
        return _("derived from {file}: {state}, {cues}, {warnings}").format(
            file=status.file, **counts)
    return _("{file}: {state}, {cues}, {warnings}").format(file=status.file, **counts)


def subtitle_lines(context: Context, draft: Draft, locale: str) -> list[str]:
    """One line per video with subtitles: its subtitles in ``locale`` (editor, translator)."""
    return [_("Subtitles of {file} ({locale}): {status}").format(
                file=status.media, locale=locale, status=describe_status(status))
            for status in subtitle_states(context, draft, [locale])]
