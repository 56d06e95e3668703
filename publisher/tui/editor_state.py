"""The editor's model, without Textual: the draft as read, what the person changed,
whether anything did, what Save writes, and what is kept when a save meets a newer file.

The editor screen copies its widgets into an :class:`EditState` (so a language
switch, which recomposes the screen, loses nothing) and asks it everything else.
It lives beside the screen rather than in the services: it is what a person has
typed, as text, until Save turns it into a :class:`DraftEdit` for the service.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from publisher.domain.accounts import Account
from publisher.domain.consistency import compare_variants
from publisher.domain.drafts import Draft
from publisher.domain.errors import UserError
from publisher.domain.locales import DERIVED_FROM
from publisher.domain.moments import parse_moment, show_moment
from publisher.domain.posttypes import split_into_thread
from publisher.domain.serbian import to_latin
from publisher.i18n import _, format_datetime
from publisher.services.drafts import DraftEdit, OwnText, VariantParts
from publisher.storage.drafts import LoadedDraft

LATIN = "sr-Latn"
DETAILS = "details"  # the tab of the fields that are not a text
TIME_FIELDS = ("not_before", "deadline")


@dataclass(frozen=True)
class TimeLine:
    """One line under the embargo and deadline: how a time reads, or what is wrong."""

    text: str
    blames: str | None = None  # the field at fault ("not_before", "deadline"), if any


@dataclass
class EditState:
    """The file as read, and what the person changed (times as typed)."""

    loaded: LoadedDraft
    accounts: dict[str, Account]
    locales: list[str]
    texts: dict[str, str] = field(default_factory=dict)
    latin_by_hand: bool = False
    alts: dict[tuple[str, str], str] = field(default_factory=dict)
    title: str = ""
    campaign: str = ""
    targets: tuple[str, ...] = ()
    not_before: str = ""
    deadline: str = ""
    # Each locale's texts beside its text, as typed: the thread's parts (an emptied
    # part is dropped on save), the first comment and the content warning.
    threads: dict[str, list[str]] = field(default_factory=dict)
    first_comments: dict[str, str] = field(default_factory=dict)
    content_warnings: dict[str, str] = field(default_factory=dict)
    # The accounts' own texts as typed, by (locale, account id): the text, then the
    # thread's replies (an emptied text removes the own text on save).
    own: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    # Each locale's subtitle lines (read-only: file, state, cues, warnings), as read.
    subtitles: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, loaded: LoadedDraft, accounts: dict[str, Account], locales: list[str],
           zone: tzinfo) -> EditState:
        """Nothing changed yet; sr-Latn gets a tab whenever sr has one."""
        draft = loaded.draft
        if "sr" in locales and LATIN not in locales:
            locales = [*locales, LATIN]
        written = {tag: v.text for tag, v in draft.variants.items()}
        typed = [tag for tag in locales if tag != LATIN or written.get(LATIN)]
        return cls(
            loaded, accounts, locales,
            texts={tag: written.get(tag, "") for tag in locales if tag != LATIN}
            | ({LATIN: written[LATIN]} if written.get(LATIN) else {}),
            latin_by_hand=bool(written.get(LATIN)),
            alts={(m.file, tag): m.alt.get(tag, "") for m in draft.media for tag in locales
                  if tag != LATIN or m.alt.get(LATIN)},
            title=draft.title, campaign=draft.campaign or "", targets=draft.accounts,
            not_before=show_moment(draft.not_before, zone),
            deadline=show_moment(draft.deadline, zone),
            threads={tag: list(_written_parts(draft, tag).thread) for tag in typed},
            first_comments={tag: _written_parts(draft, tag).first_comment for tag in typed},
            content_warnings={tag: _written_parts(draft, tag).content_warning
                              for tag in typed},
            own={(tag, account_id): [own.text, *own.thread]
                 for tag in typed if tag in draft.variants
                 for account_id, own in draft.variants[tag].accounts.items()},
        )

    def reread(self, loaded: LoadedDraft, zone: tzinfo) -> EditState:
        """The state of a newer version of the file (after a save), nothing changed."""
        state = EditState.of(loaded, self.accounts, self.locales, zone)
        state.subtitles = self.subtitles  # files a save does not change
        return state

    @property
    def draft(self) -> Draft:
        return self.loaded.draft

    # Changes

    def is_derived(self, tag: str) -> bool:
        """Whether the locale's text is made from another (sr-Latn from sr), not typed."""
        return tag == LATIN and not self.latin_by_hand

    def type_text(self, tag: str, text: str) -> bool:
        """A variant as typed; False (and nothing kept) for a derived one."""
        if self.is_derived(tag):
            return False
        self.texts[tag] = text
        return True

    def write_latin_by_hand(self) -> bool:
        """Start writing sr-Latn by hand from what it derives to; False if not possible."""
        if LATIN not in self.locales or self.latin_by_hand:
            return False
        self.texts[LATIN] = self.effective_texts().get(LATIN, "")
        self.latin_by_hand = True
        return True

    def type_thread_part(self, tag: str, index: int, text: str) -> bool:
        """Part ``index`` (from 0, the first reply) of the locale's thread as typed."""
        if self.is_derived(tag) or index >= len(self.threads.setdefault(tag, [])):
            return False
        self.threads[tag][index] = text
        return True

    def add_thread_part(self, tag: str) -> int | None:
        """A new empty reply at the end of the thread; its index, or None (derived)."""
        if self.is_derived(tag):
            return None
        self.threads.setdefault(tag, []).append("")
        return len(self.threads[tag]) - 1

    def type_first_comment(self, tag: str, text: str) -> bool:
        if self.is_derived(tag):
            return False
        self.first_comments[tag] = text
        return True

    def type_content_warning(self, tag: str, text: str) -> bool:
        if self.is_derived(tag):
            return False
        self.content_warnings[tag] = text
        return True

    def own_accounts(self, tag: str) -> list[str]:
        """The accounts with an own text in ``tag`` (as typed): those read, then those added."""
        return [account_id for (locale, account_id) in self.own if locale == tag]

    def own_candidates(self, tag: str) -> list[str]:
        """The draft's accounts posting in ``tag`` that have no own text in it yet."""
        return [a for a in self.targets if a in self.accounts
                and tag in self.accounts[a].locales and (tag, a) not in self.own]

    def add_own_text(self, tag: str, account_id: str) -> bool:
        """Start an own text of the account in ``tag`` (empty until typed)."""
        if self.is_derived(tag) or (tag, account_id) in self.own:
            return False
        self.own[(tag, account_id)] = [""]
        return True

    def type_own(self, tag: str, account_id: str, index: int, text: str) -> bool:
        """Part ``index`` (0: the text, then the replies) of an account's own text."""
        parts = self.own.get((tag, account_id))
        if parts is None or index >= len(parts):
            return False
        parts[index] = text
        return True

    def own_part(self, tag: str, account_id: str, index: int) -> str:
        parts = self.own.get((tag, account_id), [])
        return parts[index] if index < len(parts) else ""

    def split_proposal(self, tag: str, fits: Callable[[str], bool]) -> list[str]:
        """The locale's text cut at sentence ends into parts that each ``fits``; one
        part (or none) when there is nothing to split."""
        return split_into_thread(self.texts.get(tag, ""), fits)

    def take_split(self, tag: str, parts: list[str]) -> bool:
        """The text becomes the first part and the others open the thread (before the
        replies already written); False when there is nothing to split."""
        if self.is_derived(tag) or len(parts) < 2:
            return False
        self.texts[tag] = parts[0]
        self.threads[tag] = [*parts[1:], *self.threads.get(tag, [])]
        return True

    def parts_of(self, tag: str) -> VariantParts:
        """The locale's parts as they would be saved (sr-Latn derived unless written)."""
        if self.is_derived(tag):
            source = self.parts_of(DERIVED_FROM[LATIN])
            return VariantParts(tuple(to_latin(t) for t in source.thread),
                                to_latin(source.first_comment),
                                to_latin(source.content_warning))
        return VariantParts(tuple(t for t in self.threads.get(tag, []) if t.strip()),
                            self.first_comments.get(tag, ""),
                            self.content_warnings.get(tag, ""))

    def type_alt(self, media_index: int, tag: str, text: str) -> None:
        self.alts[(self.draft.media[media_index].file, tag)] = text

    def choose_targets(self, chosen: Collection[str]) -> None:
        """The accounts ticked: those kept stay in order, new ones follow in list order."""
        self.targets = tuple([a for a in self.targets if a in chosen]
                             + [a for a in self.accounts if a in chosen
                                and a not in self.targets])

    # What the person sees

    def effective_texts(self) -> dict[str, str]:
        """Every locale's text as it would go out (sr-Latn derived unless written)."""
        texts = dict(self.texts)
        if not self.latin_by_hand and "sr" in texts:
            texts[LATIN] = to_latin(texts["sr"])
        return texts

    def first_tab(self) -> str:
        """Where the work is: the accounts of a new draft (:data:`DETAILS`), then its
        source text, then the first translation."""
        if not self.targets:
            return DETAILS
        source = self.draft.source
        if not self.texts.get(source, "").strip():
            return source
        return next((tag for tag in self.locales if tag != source), source)

    def telegram_targets(self, tag: str) -> list[str]:
        """The Telegram accounts the draft goes to in ``tag`` (Telegram shows no alt text)."""
        return [a for a in self.targets if a in self.accounts
                and self.accounts[a].text_platform == "telegram"
                and tag in self.accounts[a].locales]

    def warnings(self) -> list[str]:
        """What one variant has and another lacks (numbers, links, hashtags…)."""
        texts = {tag: text for tag, text in self.effective_texts().items() if text}
        campaign = [self.campaign.strip().lstrip("#")] if self.campaign.strip() else []
        return ["⚠ " + finding.message()
                for finding in compare_variants(texts, campaign_hashtags=campaign)]

    def time_lines(self, zone: tzinfo, now: datetime) -> list[TimeLine]:
        """Each time as it will be read (in the UI's language), or what is wrong with it."""
        lines: list[TimeLine] = []
        moments: dict[str, datetime | None] = {}
        for name, label, text in (("not_before", _("embargo"), self.not_before),
                                  ("deadline", _("deadline"), self.deadline)):
            try:
                moment = parse_moment(text, zone, label)
            except UserError as error:
                lines.append(TimeLine(f"✗ {error}", name))
                continue
            moments[name] = moment
            if moment:
                lines.append(TimeLine(f"{label}: {format_datetime(moment, zone)}"))
        embargo, deadline = moments.get("not_before"), moments.get("deadline")
        if embargo and deadline and deadline <= embargo:
            lines.append(TimeLine("✗ " + _("the deadline must be after the embargo"),
                                  "deadline"))
        elif deadline and deadline <= now:
            lines.append(TimeLine(
                "⚠ " + _("the deadline has passed: the draft cannot be scheduled")))
        return lines

    # Saving

    def edit(self, zone: tzinfo) -> DraftEdit:
        """What Save writes: only what differs from the file. Raises UserError for an
        empty title, a bad time, or a deadline not after the embargo."""
        draft = self.draft
        edit = DraftEdit()
        for tag, text in self.texts.items():
            written = draft.variants.get(tag)
            if text != (written.text if written else ""):
                edit.texts[tag] = text
        for tag in self.threads:
            if tag in edit.texts or self.parts_of(tag) != _written_parts(draft, tag):
                edit.parts[tag] = self.parts_of(tag)
                edit.texts.setdefault(tag, self.texts.get(tag, ""))
        for (tag, account_id), parts in self.own.items():
            written = draft.variants.get(tag)
            old = written.accounts.get(account_id) if written else None
            new = OwnText(parts[0], tuple(t for t in parts[1:] if t.strip()),
                          old.first_comment if old else "")
            if (new.text.strip() or old) and (
                    old is None or (old.text, old.thread) != (new.text, new.thread)):
                edit.own_texts[(tag, account_id)] = new
        for (file, tag), text in self.alts.items():
            media = next(m for m in draft.media if m.file == file)
            if text != media.alt.get(tag, ""):
                edit.alts[(file, tag)] = text
        if self.title != draft.title:
            if not self.title.strip():
                raise UserError(_("the title cannot be empty"),
                                hint=_("type one in Details: it names the draft for everyone"))
            edit.title = self.title
        if self.campaign.strip().lstrip("#") != (draft.campaign or ""):
            edit.campaign = self.campaign
        if tuple(self.targets) != draft.accounts:
            edit.accounts = tuple(self.targets)
        not_before = parse_moment(self.not_before, zone, _("embargo"))
        deadline = parse_moment(self.deadline, zone, _("deadline"))
        if not_before and deadline and deadline <= not_before:
            raise UserError(_("the deadline must be after the embargo"),
                            hint=_("change one of the two in Details"))
        if not_before != draft.not_before:
            edit.not_before, edit.clear_not_before = not_before, not_before is None
        if deadline != draft.deadline:
            edit.deadline, edit.clear_deadline = deadline, deadline is None
        return edit

    def is_dirty(self, zone: tzinfo) -> bool:
        """Whether leaving would lose something (a time that does not read counts)."""
        try:
            return not is_empty(self.edit(zone))
        except UserError:
            return True

    def mine_as_text(self) -> str:
        """What the person wrote, kept in a file when they take the newer version on disk
        instead after a conflict."""
        parts = [f"# {self.draft.id}: {self.title}"]
        for tag, text in self.texts.items():
            parts.append(f"[{tag}]\n{text}")
            saved = self.parts_of(tag)
            parts.extend(f"[{tag} thread {n}]\n{reply}"
                         for n, reply in enumerate(saved.thread, start=2))
            if saved.first_comment:
                parts.append(f"[{tag} first comment]\n{saved.first_comment}")
            if saved.content_warning:
                parts.append(f"[{tag} content warning]\n{saved.content_warning}")
        for (tag, account_id), own in self.own.items():
            parts.extend(f"[{tag} {account_id} part {n}]\n{text}"
                         for n, text in enumerate(own, start=1) if text)
        for (file, tag), text in self.alts.items():
            if text:
                parts.append(f"[alt {file} {tag}]\n{text}")
        return "\n\n".join(parts) + "\n"


def _written_parts(draft: Draft, tag: str) -> VariantParts:
    variant = draft.variants.get(tag)
    if variant is None:
        return VariantParts()
    return VariantParts(variant.thread, variant.first_comment, variant.content_warning)


def is_empty(edit: DraftEdit) -> bool:
    """Whether Save would change nothing."""
    return not (edit.texts or edit.parts or edit.own_texts or edit.alts or edit.title is not None
                or edit.campaign is not None
                or edit.accounts is not None or edit.not_before or edit.deadline
                or edit.clear_not_before or edit.clear_deadline)
