"""The editor's model, without Textual: the draft as read, what the person changed,
whether anything did, what Save writes, and what is kept when a save meets a newer file.

The editor screen copies its widgets into an :class:`EditState` (so a language
switch, which recomposes the screen, loses nothing) and asks it everything else.
It lives beside the screen rather than in the services: it is what a person has
typed, as text, until Save turns it into a :class:`DraftEdit` for the service.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from publisher.domain.accounts import Account
from publisher.domain.consistency import compare_variants
from publisher.domain.drafts import Draft
from publisher.domain.errors import UserError
from publisher.domain.moments import parse_moment, show_moment
from publisher.domain.serbian import to_latin
from publisher.i18n import _, format_datetime
from publisher.services.drafts import DraftEdit
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

    @classmethod
    def of(cls, loaded: LoadedDraft, accounts: dict[str, Account], locales: list[str],
           zone: tzinfo) -> EditState:
        """Nothing changed yet; sr-Latn gets a tab whenever sr has one."""
        draft = loaded.draft
        if "sr" in locales and LATIN not in locales:
            locales = [*locales, LATIN]
        written = {tag: v.text for tag, v in draft.variants.items()}
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
        )

    def reread(self, loaded: LoadedDraft, zone: tzinfo) -> EditState:
        """The state of a newer version of the file (after a save), nothing changed."""
        return EditState.of(loaded, self.accounts, self.locales, zone)

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
        """What Save writes: only what differs from the file. Raises UserError for a bad
        time, or a deadline not after the embargo."""
        draft = self.draft
        edit = DraftEdit()
        for tag, text in self.texts.items():
            written = draft.variants.get(tag)
            if text != (written.text if written else ""):
                edit.texts[tag] = text
        for (file, tag), text in self.alts.items():
            media = next(m for m in draft.media if m.file == file)
            if text != media.alt.get(tag, ""):
                edit.alts[(file, tag)] = text
        if self.title != draft.title:
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
        for (file, tag), text in self.alts.items():
            if text:
                parts.append(f"[alt {file} {tag}]\n{text}")
        return "\n\n".join(parts) + "\n"


def is_empty(edit: DraftEdit) -> bool:
    """Whether Save would change nothing."""
    return not (edit.texts or edit.alts or edit.title is not None or edit.campaign is not None
                or edit.accounts is not None or edit.not_before or edit.deadline
                or edit.clear_not_before or edit.clear_deadline)
