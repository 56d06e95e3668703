"""Drafts: one message, its variants in several locales, and their translation state.

A draft is the unit people work on: the Albanian, English and Serbian versions
of one post are one thing. Files are parsed elsewhere (storage); this module
turns the parsed TOML tables into a :class:`Draft`, checking every field and
naming the fix, and answers the translation questions.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from publisher.domain.errors import UserError
from publisher.domain.freshness import parse_urgency
from publisher.domain.locales import (
    DERIVED_FROM,
    SUPPORTED,
    fingerprint,
    normalize_locale,
    normalized_text,
)
from publisher.domain.posttypes import VISIBILITIES, PostOptions, parts_fingerprint
from publisher.domain.remedies import Fix, Remedy
from publisher.domain.textrules import oversize
from publisher.domain.video import VIDEO_SUFFIXES
from publisher.i18n import N_, _, ngettext

# Matched in full (fullmatch): a '$' would also match before a trailing newline.
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
MEDIA_FOLDER = "media"
TOP_LEVEL_FIELDS = (
    "title",
    "campaign",
    "source",
    "accounts",
    "not_before",
    "deadline",
    "urgency",
    "approved",
    "template",
    "link_card",
    "options",
    "variants",
    "media",
)
VARIANT_FIELDS = ("text", "from_source", "thread", "first_comment", "content_warning",
                  "accounts")
ACCOUNT_TEXT_FIELDS = ("text", "thread", "first_comment", "from_source")
OPTION_FIELDS = ("visibility", "silent", "pin")
# X takes 25 posts in a thread; nobody needs more for one message.
MAX_THREAD_PARTS = 24
MEDIA_FIELDS = ("file", "alt", "subtitles", "subtitles_from")
# Subtitle files a video's ``subtitles.<locale>`` may name.
SUBTITLE_SUFFIXES = frozenset({".srt", ".vtt"})


class TranslationState(enum.StrEnum):
    MISSING = "missing"
    STALE = "stale"
    TRANSLATED = "translated"
    APPROVED = "approved"


# Shown with _() in tables and badges; marked here for the catalogs.
TRANSLATION_STATE_NAMES = (N_("missing"), N_("stale"), N_("translated"), N_("approved"))

@dataclass(frozen=True)
class AccountText:
    """One account's own wording in one locale (``[variants.L.accounts.ID]``).

    It replaces the variant's text and thread on that account; without its own
    ``first_comment`` the variant's one is used. ``from_source`` fingerprints the
    source it was translated from (see :meth:`Draft.own_source_fingerprint`).
    """

    account_id: str
    text: str
    thread: tuple[str, ...] = ()
    first_comment: str = ""
    from_source: str | None = None
    derived: bool = False

    @property
    def fingerprint(self) -> str:
        return parts_fingerprint(self.text, self.thread, self.first_comment)


@dataclass(frozen=True)
class Variant:
    """The text of a draft in one locale, with its thread, first comment and content
    warning, and the accounts' own texts.

    ``from_source`` is the fingerprint of the source variant (all its parts) this
    variant was translated from; ``derived`` marks a machine transliteration
    (sr-Latn from sr) that nobody wrote by hand.
    """

    locale: str
    text: str
    from_source: str | None = None
    derived: bool = False
    thread: tuple[str, ...] = ()
    first_comment: str = ""
    content_warning: str = ""
    accounts: Mapping[str, AccountText] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """Of every part in order (a text alone: the fingerprint of that text)."""
        return parts_fingerprint(self.text, self.thread, self.first_comment,
                                 self.content_warning)


@dataclass(frozen=True)
class Media:
    file: str
    alt: Mapping[str, str] = field(default_factory=dict)
    # A video's subtitle files per locale (SRT or WebVTT under media/); images have none.
    subtitles: Mapping[str, str] = field(default_factory=dict)
    # The fingerprint of the source cues each locale's subtitles were translated from
    # (publisher.domain.subtitles.cues_fingerprint): other source cues now mark them stale.
    subtitles_from: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_video(self) -> bool:
        return PurePosixPath(self.file).suffix.lower() in VIDEO_SUFFIXES

    def alt_for(self, locale: str) -> str:
        """The alt text in ``locale``; Serbian Latin is derived from Cyrillic when not written."""
        text = self.alt.get(locale, "")
        if not text and locale in DERIVED_FROM and DERIVED_FROM[locale] in self.alt:
            from publisher.domain.serbian import to_latin

            text = to_latin(self.alt[DERIVED_FROM[locale]])
        return text


@dataclass(frozen=True)
class Draft:
    id: str
    source: str
    title: str = ""
    campaign: str | None = None
    accounts: tuple[str, ...] = ()
    not_before: datetime | None = None
    deadline: datetime | None = None
    # How fast the post loses its value (freshness): None, the campaign's or the workspace's.
    urgency: timedelta | None = None
    approved: bool = False
    variants: Mapping[str, Variant] = field(default_factory=dict)
    media: tuple[Media, ...] = ()
    options: PostOptions = field(default_factory=PostOptions)
    # A preview card for the first link of a post without images (see link_cards).
    link_card: bool = True
    # A holding statement: its texts hold {placeholders}; never sent itself, only the
    # drafts `crisis use` fills from it (see publisher.domain.templates).
    template: bool = False

    @property
    def source_text(self) -> str:
        variant = self.variants.get(self.source)
        return variant.text if variant else ""

    @property
    def source_fingerprint(self) -> str:
        """What a translation's ``from_source`` is compared with: every part of the
        source variant (its text alone for a variant of one text)."""
        variant = self.variants.get(self.source)
        return variant.fingerprint if variant else fingerprint("")

    def variant(self, locale: str) -> Variant | None:
        """The variant for ``locale``, deriving sr-Latn from sr when not written."""
        written = self.variants.get(locale)
        if written is not None and written.text:
            return written
        base = DERIVED_FROM.get(locale)
        if base is None:
            return None
        origin = self.variants.get(base)
        if origin is None or not origin.text:
            return None
        return derive_variant(locale, origin)

    def own_text(self, locale: str, account_id: str) -> AccountText | None:
        """The account's own text in ``locale`` (sr-Latn derived from sr's), or None."""
        written = self.variants.get(locale)
        if written is not None and account_id in written.accounts:
            return written.accounts[account_id]
        base = DERIVED_FROM.get(locale)
        origin = self.variants.get(base) if base else None
        if origin is None or account_id not in origin.accounts:
            return None
        return derive_account_text(origin.accounts[account_id])

    def own_source_fingerprint(self, account_id: str) -> str:
        """What an account's own text is translated from: the source locale's own text
        for that account when there is one, else the source variant."""
        source = self.variants.get(self.source)
        own = source.accounts.get(account_id) if source else None
        return own.fingerprint if own else self.source_fingerprint

    def own_state(self, locale: str, account_id: str) -> TranslationState:
        """Translation state of an account's own text (MISSING when it has none)."""
        own = self.own_text(locale, account_id)
        if own is None:
            return TranslationState.MISSING
        stale = (locale != self.source and own.from_source is not None
                 and not (own.derived and DERIVED_FROM.get(locale) == self.source)
                 and own.from_source != self.own_source_fingerprint(account_id))
        if stale:
            return TranslationState.STALE
        return TranslationState.APPROVED if self.approved else TranslationState.TRANSLATED

    def state(self, locale: str) -> TranslationState:
        """Translation state of one locale of this draft."""
        variant = self.variant(locale)
        if variant is None:
            return TranslationState.MISSING
        if self.is_stale(variant):
            return TranslationState.STALE
        return TranslationState.APPROVED if self.approved else TranslationState.TRANSLATED

    def is_stale(self, variant: Variant) -> bool:
        """A translation is stale when its source text changed since it was made.

        The source variant is never stale; a sr-Latn derived from a source sr
        is current by construction; a variant without ``from_source`` (typed
        by hand, origin unknown) is taken as current.
        """
        if variant.locale == self.source or variant.from_source is None:
            return False
        if variant.derived and DERIVED_FROM.get(variant.locale) == self.source:
            return False
        return variant.from_source != self.source_fingerprint

    def locales_needed(self, account_locales: Mapping[str, Iterable[str]]) -> list[str]:
        """Source first, then every locale one of the draft's accounts posts in."""
        needed = [self.source]
        for account_id in self.accounts:
            for locale in account_locales.get(account_id, ()):
                if locale not in needed:
                    needed.append(locale)
        return needed


def derive_variant(locale: str, origin: Variant) -> Variant:
    """A Serbian Latin variant made from the Cyrillic one, every part transliterated."""
    from publisher.domain.serbian import to_latin

    return Variant(
        locale, to_latin(origin.text), origin.from_source, derived=True,
        thread=tuple(to_latin(part) for part in origin.thread),
        first_comment=to_latin(origin.first_comment),
        content_warning=to_latin(origin.content_warning),
        accounts={account_id: derive_account_text(own)
                  for account_id, own in origin.accounts.items()},
    )


def derive_account_text(origin: AccountText) -> AccountText:
    from publisher.domain.serbian import to_latin

    return AccountText(origin.account_id, to_latin(origin.text),
                       tuple(to_latin(part) for part in origin.thread),
                       to_latin(origin.first_comment), origin.from_source, derived=True)


def make_skeleton(draft_id: str, source: str, title: str = "") -> Draft:
    check_draft_id(draft_id)
    source = normalize_locale(source)
    return Draft(
        id=draft_id,
        source=source,
        title=title or draft_id,
        variants={source: Variant(source, "")},
    )


def check_draft_id(draft_id: str) -> str:
    if not ID_PATTERN.fullmatch(draft_id):
        raise UserError(
            _("invalid draft id {id!r}").format(id=draft_id),
            hint=_("use lower-case letters, digits and dashes, e.g. flag-day-2026"),
        )
    return draft_id


SLUG_LENGTH = 48  # long enough for a title's first words, short enough for a file name


def slug(title: str) -> str:
    """A draft id made from a title in any of our scripts: "Dita e Flamurit 2027",
    "Дан заставе" -> dita-e-flamurit-2027, dan-zastave.

    Whole words up to :data:`SLUG_LENGTH` characters (one longer word is cut).
    Raises UserError when the title has no letter or digit to make an id of.
    """
    import unicodedata

    from publisher.domain.serbian import nfkc, to_latin

    # Words only: to_latin leaves #hashtags, @handles and addresses as written, and in
    # an id they are words like any other.
    words_only = "".join(c if c.isalnum() or unicodedata.combining(c) else " "
                         for c in nfkc(title))
    latin = to_latin(words_only).replace("đ", "dj").replace("Đ", "Dj")
    plain = unicodedata.normalize("NFKD", latin)
    ascii_ = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in ascii_).split()
    text = ""
    for word in words:
        if text and len(text) + len(word) > SLUG_LENGTH:
            break
        text = f"{text}-{word}" if text else word
    text = text[:SLUG_LENGTH].rstrip("-")
    if not text:
        raise UserError(_("write a title with at least one letter or digit"))
    return text


def free_id(wanted: str, taken: Container[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``… if a draft has it already."""
    candidate, number = wanted, 2
    while candidate in taken:
        candidate, number = f"{wanted}-{number}", number + 1
    return candidate


def is_media_path(file: str) -> bool:
    """Whether a draft's image path, as written, names a file under ``media/``.

    Relative, with '/' between folders, no '..' and no NUL. This is the
    spelling only: the workspace resolves the symlinks (``Workspace.media_file``).
    """
    if not file or "\0" in file or "\\" in file:
        return False
    parts = PurePosixPath(file).parts
    return len(parts) >= 2 and parts[0] == MEDIA_FOLDER and ".." not in parts


LineFinder = Callable[..., int | None]


def _no_line(*_path: str) -> int | None:
    return None


@dataclass
class _Parser:
    """Checks one parsed draft table, raising a UserError that names the fix."""

    draft_id: str
    where: str
    line_of: LineFinder = _no_line
    known_accounts: frozenset[str] | None = None

    def fail(self, path: tuple[str, ...], message: str, hint: str | None = None,
             remedy: Remedy | None = None) -> UserError:
        line = self.line_of(*path)
        where = f"{self.where}:{line}" if line else self.where
        return UserError(f"{'.'.join(path)}: {message}", where=where, hint=hint,
                         remedy=remedy)

    def parse(self, data: Mapping[str, object]) -> Draft:
        check_draft_id(self.draft_id)
        for key in data:
            if key not in TOP_LEVEL_FIELDS:
                raise self.fail(
                    (key,),
                    _("unknown field"),
                    _("known fields: {names}").format(names=", ".join(TOP_LEVEL_FIELDS)),
                )
        source = self.locale(data.get("source"), ("source",), required=True)
        accounts = self.accounts(data.get("accounts", []))
        variants = self.variants(data.get("variants", {}), accounts)
        not_before = self.moment(data, "not_before")
        deadline = self.moment(data, "deadline")
        if not_before and deadline and deadline <= not_before:
            raise self.fail(("deadline",), _("is not after not_before"), _("fix one of the two"))
        return Draft(
            id=self.draft_id,
            source=source,
            title=self.string(data, "title", default=self.draft_id),
            campaign=self.campaign(data.get("campaign")),
            accounts=accounts,
            not_before=not_before,
            deadline=deadline,
            urgency=self.urgency(data.get("urgency")),
            approved=self.boolean(data, "approved"),
            variants=variants,
            media=self.media(data.get("media", [])),
            options=self.options(data.get("options", {})),
            link_card=self.boolean(data, "link_card", default=True),
            template=self.boolean(data, "template"),
        )

    def string(self, data: Mapping[str, object], key: str, default: str = "") -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            raise self.fail((key,), _("must be a text in quotes"))
        return value

    def boolean(self, data: Mapping[str, object], key: str, default: bool = False,
                path: tuple[str, ...] = ()) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail((*path, key), _("must be true or false"))
        return value

    def known_fields(self, table: Mapping[str, object], path: tuple[str, ...],
                     names: tuple[str, ...]) -> None:
        for key in table:
            if key not in names:
                raise self.fail(
                    (*path, key),
                    _("unknown field"),
                    _("known fields: {names}").format(names=", ".join(names)),
                )

    def options(self, value: object) -> PostOptions:
        path = ("options",)
        if not isinstance(value, Mapping):
            raise self.fail(path, _("must be a table of options"), 'visibility = "unlisted"')
        self.known_fields(value, path, OPTION_FIELDS)
        visibility = value.get("visibility", "public")
        if visibility not in VISIBILITIES:
            raise self.fail((*path, "visibility"), _("must be one of {names}").format(
                names=", ".join(VISIBILITIES)))
        return PostOptions(str(visibility), self.boolean(value, "silent", path=path),
                           self.boolean(value, "pin", path=path))

    def locale(self, value: object, path: tuple[str, ...], required: bool = False) -> str:
        if value is None and required:
            raise self.fail(path, _("is required"), _('e.g. source = "sq"'))
        if not isinstance(value, str):
            raise self.fail(path, _("must be a locale tag in quotes"))
        try:
            return normalize_locale(value)
        except UserError as error:
            raise self.fail(path, error.message, error.hint, error.remedy) from None

    def campaign(self, value: object) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(("campaign",), _("must be a text in quotes"))
        return value.strip().lstrip("#") or None

    def urgency(self, value: object) -> timedelta | None:
        if value is None:
            return None
        try:
            return parse_urgency(value)
        except UserError as error:
            raise self.fail(("urgency",), error.message, error.hint) from None

    def accounts(self, value: object) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(("accounts",), _("must be a list of account ids"))
        for account_id in value:
            if self.known_accounts is not None and account_id not in self.known_accounts:
                known = ", ".join(sorted(self.known_accounts)) or _("none yet")
                raise self.fail(
                    ("accounts",),
                    _("unknown account {id!r}").format(id=account_id),
                    _("known accounts: {known}").format(known=known),
                    Remedy(Fix.ADD_ACCOUNT),
                )
        if len(set(value)) != len(value):
            raise self.fail(("accounts",), _("an account is listed twice"))
        return tuple(value)

    def moment(self, data: Mapping[str, object], key: str) -> datetime | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                value = None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise self.fail(
                (key,),
                _("must be a date and time with its UTC offset"),
                _("e.g. {key} = 2026-11-28T08:00:00+01:00").format(key=key),
            )
        return value

    def variants(self, value: object, accounts: tuple[str, ...]) -> dict[str, Variant]:
        if not isinstance(value, Mapping):
            raise self.fail(("variants",), _("must be a table of locales"))
        variants: dict[str, Variant] = {}
        for raw_locale, table in value.items():
            locale = self.locale(raw_locale, ("variants", raw_locale))
            if locale in variants:
                raise self.fail(("variants", raw_locale), _("this locale is given twice"))
            variants[locale] = self.variant(locale, raw_locale, table, accounts)
        return variants

    def variant(self, locale: str, raw_locale: str, table: object,
                accounts: tuple[str, ...]) -> Variant:
        path = ("variants", raw_locale)
        if not isinstance(table, Mapping):
            raise self.fail(path, _("must be a table with a text"), '[variants.sq] text = "..."')
        self.known_fields(table, path, VARIANT_FIELDS)
        text = self.text(table, "text", path)
        thread = self.thread(table, path)
        first_comment = self.text(table, "first_comment", path)
        content_warning = self.text(table, "content_warning", path)
        if not text and (thread or first_comment):
            raise self.fail((*path, "text"), _("is empty, but a thread or first comment "
                                               "follows it"), _("write the first post's text"))
        own = table.get("accounts", {})
        if not isinstance(own, Mapping):
            raise self.fail((*path, "accounts"), _("must be a table of account ids"),
                            f'[variants.{raw_locale}.accounts.ACCOUNT] text = "..."')
        return Variant(
            locale, text, self.from_source(table, path),
            thread=thread, first_comment=first_comment, content_warning=content_warning,
            accounts={account_id: self.account_text(account_id, own_table,
                                                    (*path, "accounts", account_id), accounts)
                      for account_id, own_table in own.items()},
        )

    def account_text(self, account_id: str, table: object, path: tuple[str, ...],
                     accounts: tuple[str, ...]) -> AccountText:
        if account_id not in accounts:
            raise self.fail(path, _("{id!r} is not one of the draft's accounts").format(
                id=account_id), _("add it to accounts, or remove this table"))
        if not isinstance(table, Mapping):
            raise self.fail(path, _("must be a table with a text"), 'text = "..."')
        self.known_fields(table, path, ACCOUNT_TEXT_FIELDS)
        text = self.text(table, "text", path)
        if not text:
            raise self.fail((*path, "text"), _("is required"),
                            _("write the account's own text, or remove this table"))
        return AccountText(account_id, text, self.thread(table, path),
                           self.text(table, "first_comment", path),
                           self.from_source(table, path))

    def text(self, table: Mapping[str, object], key: str, path: tuple[str, ...]) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            raise self.fail((*path, key), _("must be a text in quotes"))
        self.size(value, (*path, key))
        return normalized_text(value)

    def thread(self, table: Mapping[str, object], path: tuple[str, ...]) -> tuple[str, ...]:
        value = table.get("thread", [])
        where = (*path, "thread")
        if not isinstance(value, list) or not all(isinstance(part, str) for part in value):
            raise self.fail(where, _("must be a list of texts"), 'thread = ["...", "..."]')
        if len(value) > MAX_THREAD_PARTS:
            raise self.fail(where, ngettext(
                "has {count} parts; a thread takes at most {most}",
                "has {count} parts; a thread takes at most {most}", len(value)).format(
                count=len(value), most=MAX_THREAD_PARTS), _("make it shorter"))
        parts = []
        for part in value:
            self.size(part, where)
            if not normalized_text(part):
                raise self.fail(where, _("a part is empty"), _("remove it, or write it"))
            parts.append(normalized_text(part))
        return tuple(parts)

    def from_source(self, table: Mapping[str, object], path: tuple[str, ...]) -> str | None:
        origin = table.get("from_source")
        if origin is not None and not (
            isinstance(origin, str) and re.fullmatch(r"[0-9a-f]{8}", origin)
        ):
            raise self.fail(
                (*path, "from_source"),
                _("must be 8 hex digits"),
                _("remove the line; the tool writes it when a translation is saved"),
            )
        return origin

    def size(self, text: str, path: tuple[str, ...]) -> None:
        """Refuse a text longer than any platform takes before any check runs on it."""
        problem = oversize(len(text))
        if problem:
            raise self.fail(path, problem, _("split it into several posts"))

    def media(self, value: object) -> tuple[Media, ...]:
        if not isinstance(value, list):
            raise self.fail(("media",), _("must be a list of [[media]] tables"))
        items = []
        for table in value:
            if not isinstance(table, Mapping):
                raise self.fail(("media",), _("must be a list of [[media]] tables"))
            for key in table:
                if key not in MEDIA_FIELDS:
                    raise self.fail(("media", key), _("unknown field"),
                                    ", ".join(MEDIA_FIELDS))
            file = table.get("file")
            if not isinstance(file, str) or not is_media_path(file):
                raise self.fail(
                    ("media", "file"),
                    _("not in the workspace's media/ folder"),
                    _('e.g. file = "media/flag.jpg"'),
                )
            alt = table.get("alt", {})
            if not isinstance(alt, Mapping) or not all(isinstance(v, str) for v in alt.values()):
                raise self.fail(("media", "alt"), _("must map locales to texts"), 'alt.en = "..."')
            for key, text in alt.items():
                self.size(text, ("media", "alt", key))
            alt_texts = {
                self.locale(key, ("media", "alt", key)): normalized_text(text)
                for key, text in alt.items()
            }
            items.append(Media(file=file, alt=alt_texts,
                               subtitles=self.subtitles(file, table.get("subtitles", {})),
                               subtitles_from=self.subtitles_from(
                                   table.get("subtitles_from", {}))))
        return tuple(items)

    def subtitles(self, file: str, value: object) -> dict[str, str]:
        """``subtitles.<locale> = "media/name.<locale>.srt"``: a video's only."""
        if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
            raise self.fail(("media", "subtitles"), _("must map locales to files"),
                            'subtitles.en = "media/statement.en.srt"')
        if value and PurePosixPath(file).suffix.lower() not in VIDEO_SUFFIXES:
            raise self.fail(("media", "subtitles"), _("only a video has subtitles"),
                            _("a video ends in {suffixes}").format(
                                suffixes=", ".join(sorted(VIDEO_SUFFIXES))))
        files = {}
        for key, path in value.items():
            where = ("media", "subtitles", key)
            if not is_media_path(path) \
                    or PurePosixPath(path).suffix.lower() not in SUBTITLE_SUFFIXES:
                raise self.fail(where, _("must be an .srt or .vtt file in the media/ folder"),
                                'subtitles.en = "media/statement.en.srt"')
            files[self.locale(key, where)] = path
        return files

    def subtitles_from(self, value: object) -> dict[str, str]:
        """``subtitles_from.<locale> = "3f1a9c2e"``: written by a subtitles import."""
        path = ("media", "subtitles_from")
        if not isinstance(value, Mapping) or not all(
                isinstance(v, str) and re.fullmatch(r"[0-9a-f]{8}", v) for v in value.values()):
            raise self.fail(path, _("must map locales to 8 hex digits"),
                            _("remove the line; the tool writes it when subtitles are "
                              "imported"))
        return {self.locale(key, (*path, key)): origin for key, origin in value.items()}


def parse_draft(
    draft_id: str,
    data: Mapping[str, object],
    *,
    where: str,
    line_of: LineFinder = _no_line,
    known_accounts: Iterable[str] | None = None,
) -> Draft:
    """Build a :class:`Draft` from a parsed TOML table, or raise :class:`UserError`."""
    known = frozenset(known_accounts) if known_accounts is not None else None
    return _Parser(draft_id, where, line_of, known).parse(data)


__all__ = [
    "SUPPORTED",
    "AccountText",
    "Draft",
    "Media",
    "TranslationState",
    "Variant",
    "check_draft_id",
    "is_media_path",
    "make_skeleton",
    "parse_draft",
]
