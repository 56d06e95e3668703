"""Putting drafts into the send queue, and a person's decisions about items.

Scheduling snapshots the text and images that will be sent. An edit to the
draft afterwards is never sent silently, and neither is the superseded
snapshot: the flush compares the two and refuses (``failed``) every pending
item of an edited, unapproved or vanished draft. To send the edit, cancel the
items, approve the draft again and schedule it again.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from publisher.domain.accounts import Account
from publisher.domain.approvals import UNNAMED
from publisher.domain.drafts import AccountText, Draft, Media, TranslationState, Variant
from publisher.domain.errors import UserError
from publisher.domain.posttypes import (
    FIRST_COMMENT,
    THREAD_JOINER,
    PartKind,
    PostOptions,
    ThreadMode,
    thread_mode,
    unsupported_options,
)
from publisher.domain.queue import FINAL, NEEDS_PERSON, PENDING, IllegalMove, State
from publisher.domain.remedies import Fix, Remedy, remedy_of
from publisher.domain.textrules import count_text
from publisher.i18n import _
from publisher.services.accounts import StoppedAccount, stopped_accounts
from publisher.services.approvals import require_cleared
from publisher.services.context import Context
from publisher.services.link_cards import Warn, card_link_of, read_cards
from publisher.services.queue_file import open_queue, published_posts, refuse_published
from publisher.storage.atomic import file_digest
from publisher.storage.queue import (
    FREEZE,
    AccountHold,
    CardSnapshot,
    FlushRun,
    Item,
    MediaSnapshot,
    NewItem,
    Pause,
    Queue,
    SubtitleSnapshot,
)

if TYPE_CHECKING:
    from publisher.platforms.common.progress import Progress
    from publisher.platforms.registry import Adapters
    from publisher.services.flush import FlushReport

log = logging.getLogger("publisher.queue")

DEFAULT_MAX_LATENESS = timedelta(hours=6)
COMBINED_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class PlannedPart:
    """One part of a planned post: what one queue item sends."""

    kind: PartKind
    text: str
    number: int  # from 1, in the order the parts go out


@dataclass(frozen=True)
class PlannedPost:
    """One post to make: an account and the locale(s) its text combines, with the
    replies that follow it (``thread``) and the comment under it."""

    account: Account
    locales: tuple[str, ...]
    text: str
    media: tuple[MediaSnapshot, ...]
    thread: tuple[str, ...] = ()
    first_comment: str = ""
    content_warning: str = ""
    options: PostOptions = field(default_factory=PostOptions)
    link_card: bool = True  # the draft's link_card: false also stops the platforms' previews

    def parts(self) -> list[PlannedPart]:
        """The items this post becomes, in the order they go out."""
        parts = [PlannedPart(PartKind.POST, self.text, 1)]
        parts += [PlannedPart(PartKind.REPLY, text, number)
                  for number, text in enumerate(self.thread, start=2)]
        if self.first_comment:
            parts.append(PlannedPart(PartKind.COMMENT, self.first_comment, len(parts) + 1))
        return parts


@dataclass(frozen=True)
class _Texts:
    """What one locale of a draft says on one account."""

    text: str
    thread: tuple[str, ...]
    first_comment: str
    content_warning: str


def plan_posts(
    context: Context, draft: Draft, *, allow_stale: bool = False, adapters: Adapters | None = None,
    queue: Queue | None = None, check_approval: bool = True,
) -> list[PlannedPost]:
    """Every post a draft makes (account × locale per layout), checked to go out.

    Raises :class:`UserError` naming the draft, account and locale for the
    first thing that would stop a post: texts and images not approved by every step
    as they are now (the records say, not the file; ``queue``: an open queue to read
    them from; ``check_approval`` False: a draft not written yet), a missing or stale
    variant, a text or a thread part over the platform's limit, a thread that does not
    fit joined into one post where the platform has no threads, a missing image.
    """
    if draft.template:
        raise UserError(
            _("draft {id!r} is a holding statement (template = true): it is never sent "
              "itself").format(id=draft.id),
            hint=_("its placeholders are filled into a new draft, and that one is sent"))
    if check_approval:
        require_cleared(context, draft, queue)
    if not draft.accounts:
        raise UserError(_("draft {id!r} has no accounts").format(id=draft.id))
    posts = []
    for account_id in draft.accounts:
        account = context.account(account_id)
        groups = [account.locales] if account.layout == "combined" else [
            (tag,) for tag in account.locales
        ]
        for locales in groups:
            texts = [_texts(draft, tag, account, allow_stale) for tag in locales]
            post = _shaped(account, PlannedPost(
                account, tuple(locales), COMBINED_SEPARATOR.join(t.text for t in texts),
                _media(context, draft, locales, allow_stale),
                thread=_joined_parts([t.thread for t in texts]),
                first_comment=COMBINED_SEPARATOR.join(
                    t.first_comment for t in texts if t.first_comment),
                content_warning=" / ".join(
                    t.content_warning for t in texts if t.content_warning),
                options=draft.options,
                link_card=draft.link_card,
            ))
            _check_fits(draft, post)
            _check_platform(context, draft, post, adapters)
            posts.append(post)
    return posts


def _joined_parts(threads: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The thread of a combined post: its n-th part joins every locale's n-th part."""
    longest = max((len(thread) for thread in threads), default=0)
    return tuple(
        COMBINED_SEPARATOR.join(thread[n] for thread in threads if n < len(thread))
        for n in range(longest)
    )


def _shaped(account: Account, post: PlannedPost) -> PlannedPost:
    """A platform without reply chains gets the thread joined into the first post; one
    without comments gets no first comment (:func:`plan_warnings` says so)."""
    platform = account.text_platform
    if post.thread and thread_mode(platform) == ThreadMode.JOINED:
        post = replace(post, text=THREAD_JOINER.join((post.text, *post.thread)), thread=())
    if post.first_comment and platform not in FIRST_COMMENT:
        post = replace(post, first_comment="")
    return post


def plan_warnings(context: Context, draft: Draft) -> list[str]:
    """What a draft asks that some of its accounts' platforms do not do (an option, a
    content warning, a first comment): said at scheduling, never dropped silently."""
    warnings = []
    for account_id in draft.accounts:
        account = context.accounts.get(account_id)
        if account is None:
            continue
        platform = account.text_platform
        texts = [_texts_or_none(draft, tag, account) for tag in account.locales]
        warning = " ".join(t.content_warning for t in texts if t is not None).strip()
        for name in unsupported_options(platform, draft.options, warning):
            warnings.append(_("{id} on {account}: {platform} does not do the option "
                              "{option}; it is posted without it").format(
                id=draft.id, account=account_id, platform=platform, option=name))
        if platform not in FIRST_COMMENT and any(t and t.first_comment for t in texts):
            warnings.append(_("{id} on {account}: {platform} has no first comments; the "
                              "first comment is not posted there").format(
                id=draft.id, account=account_id, platform=platform))
    return warnings


def _texts_or_none(draft: Draft, locale: str, account: Account) -> _Texts | None:
    variant = draft.variant(locale)
    own = draft.own_text(locale, account.id)
    if variant is None and own is None:
        return None
    return _combine(variant, own)


def _combine(variant: Variant | None, own: AccountText | None) -> _Texts:
    """An account's own text replaces the variant's text and thread; its first comment,
    when it has none, and the content warning are the variant's."""
    comment = variant.first_comment if variant else ""
    warning = variant.content_warning if variant else ""
    if own is not None:
        return _Texts(own.text, own.thread, own.first_comment or comment, warning)
    assert variant is not None  # the callers checked that the locale has a text
    return _Texts(variant.text, variant.thread, comment, warning)


def _texts(draft: Draft, locale: str, account: Account, allow_stale: bool) -> _Texts:
    own = draft.own_text(locale, account.id)
    if own is None:
        _check_state(draft, locale, account, draft.state(locale), allow_stale)
        return _combine(draft.variant(locale), None)
    state = draft.own_state(locale, account.id)
    _check_state(draft, locale, account, state, allow_stale, own=True)
    return _combine(draft.variant(locale), own)


def _check_state(draft: Draft, locale: str, account: Account, state: TranslationState,
                 allow_stale: bool, own: bool = False) -> None:
    if state == TranslationState.MISSING:
        raise UserError(
            _("draft {id!r} has no {locale} text, which {account} posts in").format(
                id=draft.id, locale=locale, account=account.id
            ),
            hint=_("translate it, or remove {locale} from the account").format(locale=locale),
        )
    if state == TranslationState.STALE and not allow_stale:
        message = _("the {locale} text of {id!r} for {account} is stale (its source "
                    "changed)") if own else _("the {locale} text of {id!r} is stale (its "
                                               "source changed)")
        raise UserError(
            message.format(locale=locale, id=draft.id, account=account.id),
            remedy=Remedy(Fix.ALLOW_STALE, draft=draft.id),
        )


def _media(context: Context, draft: Draft, locales: tuple[str, ...],
           allow_stale: bool = False) -> tuple[MediaSnapshot, ...]:
    where = context.workspace.relative(context.drafts.path_of(draft.id))
    snapshots = []
    for media in draft.media:
        path = context.workspace.media_file(media.file, where)
        alt = " / ".join(text for text in (media.alt_for(tag) for tag in locales) if text)
        subtitles = _subtitles(context, draft, media, locales, allow_stale) \
            if media.is_video and media.subtitles else ()
        snapshots.append(MediaSnapshot(media.file, alt, file_digest(path), subtitles))
    return tuple(snapshots)


def _subtitles(context: Context, draft: Draft, media: Media, locales: tuple[str, ...],
               allow_stale: bool) -> tuple[SubtitleSnapshot, ...]:
    """A video's subtitles, the post's own locales first (Serbian Latin derived from
    Cyrillic when not written), then every other written one: the platforms that take
    several tracks send them all, the others the first. Stale subtitles in the post's
    own locale stop it as a stale text does; another locale's are left out."""
    from publisher.services.subtitles import subtitle_file_for, subtitle_status

    order = [*locales, *(tag for tag in media.subtitles if tag not in locales)]
    snapshots = []
    for tag in order:
        state = subtitle_status(context, draft, media, tag).state
        if state == TranslationState.MISSING:
            continue
        if state == TranslationState.STALE and not allow_stale:
            if tag not in locales:
                continue
            raise UserError(
                _("the {locale} subtitles of {file} in {id!r} are stale (their source "
                  "changed)").format(locale=tag, file=media.file, id=draft.id),
                remedy=Remedy(Fix.ALLOW_STALE, draft=draft.id),
            )
        path = subtitle_file_for(context, draft, media, tag)
        if path is not None:
            snapshots.append(SubtitleSnapshot(tag, context.workspace.relative(path),
                                              file_digest(path)))
    return tuple(snapshots)


def _check_fits(draft: Draft, post: PlannedPost) -> None:
    """Each part against the account's limit; a joined thread says it was joined."""
    platform = post.account.text_platform
    joined = thread_mode(platform) == ThreadMode.JOINED and THREAD_JOINER in post.text
    for part in post.parts():
        has_media = bool(post.media) if part.kind == PartKind.POST else platform == "instagram"
        count = count_text(platform, part.text, has_media=has_media)
        if not count.problems:
            continue
        problem = count.problems[0]
        if part.kind == PartKind.REPLY:
            problem = _("thread part {n}: {problem}").format(n=part.number, problem=problem)
        elif part.kind == PartKind.COMMENT:
            problem = _("first comment: {problem}").format(problem=problem)
        elif joined and len(post.locales) == 1 and count.used > count.limit:
            problem = _("{platform} has no threads, and the thread joined into one post is "
                        "too long: {problem}").format(platform=platform, problem=problem)
        raise UserError(
            _("{id} on {account} ({locales}): {problem}").format(
                id=draft.id, account=post.account.id, locales="+".join(post.locales),
                problem=problem,
            ),
            hint=_("shorten the text, or post the locales separately")
            if len(post.locales) > 1 else _("shorten the text"),
        )


def _check_platform(
    context: Context, draft: Draft, post: PlannedPost, adapters: Adapters | None
) -> None:
    """The adapter's own rules (image count and size, alt text where required), for
    every part."""
    from publisher.platforms.base import Post, Published
    from publisher.services.checking import platform_problems
    from publisher.services.media import media_file

    media = tuple(
        media_file(context.workspace, m) for m in post.media
    )
    placeholder = Published("")  # a later part replies to a post not made yet
    for part in post.parts():
        first = part.kind == PartKind.POST
        problems = platform_problems(
            context, Post(post.account, part.text, post.locales, media if first else (),
                          draft.id, kind=part.kind, reply_to=None if first else placeholder,
                          root=None if first else placeholder,
                          content_warning=post.content_warning, options=post.options),
            lambda: datetime.now(UTC), adapters,
        )
        if problems:
            # A problem of the account's settings (a media address, a handle) says how to
            # fix it; the others are the draft's.
            remedy = remedy_of(problems[0])
            raise UserError(
                _("{id} on {account} ({locales}): {problem}").format(
                    id=draft.id, account=post.account.id, locales="+".join(post.locales),
                    problem=problems[0],
                ),
                hint=None if remedy else _("fix the draft, then schedule it again"),
                remedy=remedy,
            )


def content_hash(post: PlannedPost) -> str:
    """Of everything the post sends (a post of one text hashes as it always did)."""
    digest = hashlib.sha256(post.text.encode("utf-8"))
    for media in post.media:
        digest.update(f"\0{media.file}\0{media.alt}\0{media.sha256}".encode())
        for subtitles in media.subtitles:  # none for an image: its hash is as it was
            digest.update(f"\0{subtitles.locale}\0{subtitles.sha256}".encode())
    if post.thread or post.first_comment or post.content_warning \
            or post.options != PostOptions():
        for part in post.parts()[1:]:
            digest.update(f"\0{part.kind}\0{part.text}".encode())
        options = post.options
        digest.update(f"\0cw\0{post.content_warning}\0{options.visibility}"
                      f"\0{options.silent}\0{options.pin}".encode())
    if not post.link_card:  # only when off: the hashes of earlier items stay as they were
        digest.update(b"\0link_card=false")
    return digest.hexdigest()


def schedule(
    context: Context,
    draft_id: str,
    at: datetime,
    *,
    now: datetime,
    allow_stale: bool = False,
    actor: str = UNNAMED,
    check_window: bool = True,
    again: bool = False,
    warn: Warn | None = None,
    through_freeze: bool = False,
) -> list[int]:
    """Queue every post of a draft at ``at``; returns the new item ids.

    ``again``: queue it on accounts it was already published on (a person said so).
    ``warn``: where a page that gives no link card is said (else the log).
    ``through_freeze``: the freeze does not hold these items (an account's pause does).
    """
    draft = context.drafts.load(draft_id).draft
    if at.tzinfo is None:
        raise UserError(_("the time needs its UTC offset"), hint="2026-11-28T08:00:00+01:00")
    check_time(draft, at, now, check_window)
    posts = plan_posts(context, draft, allow_stale=allow_stale)
    return queue_posts(context, draft, [(post, at) for post in posts], now=now, actor=actor,
                       again=again, warn=warn, through_freeze=through_freeze)


def queue_posts(
    context: Context,
    draft: Draft,
    timed: list[tuple[PlannedPost, datetime]],
    *,
    now: datetime,
    actor: str = UNNAMED,
    again: bool = False,
    warn: Warn | None = None,
    through_freeze: bool = False,
) -> list[int]:
    """Queue planned posts, each at its own time (items of a paused account are held);
    returns the ids of every part of every post, in order.

    Refuses a draft already published on one of the accounts (the journal and
    the queue's sent items say so) unless ``again``. The link cards are read
    first, outside the queue's lock (``warn`` says which pages gave none).
    """
    return [item for chain in queue_chains(context, draft, timed, now=now, actor=actor,
                                           again=again, warn=warn,
                                           through_freeze=through_freeze)
            for item in chain]


def queue_chains(
    context: Context,
    draft: Draft,
    timed: list[tuple[PlannedPost, datetime]],
    *,
    now: datetime,
    actor: str = UNNAMED,
    again: bool = False,
    warn: Warn | None = None,
    through_freeze: bool = False,
) -> list[list[int]]:
    """:func:`queue_posts`, the ids of each post's parts apart (its first part first)."""
    cards = read_cards(context, [post for post, _at in timed], warn=warn)
    _say_subtitle_notices(context, [post for post, _at in timed], warn)
    # One write transaction from the duplicate check to the last insert: two
    # people scheduling the same draft at once (the UI and a command) cannot
    # both queue it, and a draft's posts go in all together or not at all.
    with open_queue(context) as queue, queue.transaction():
        _refuse_duplicates(queue, draft, [post for post, _at in timed])
        if not again:
            refuse_published(published_posts(context, queue, [draft.id]), draft.id,
                             [post.account.id for post, _at in timed])
        pauses = queue.pauses()
        ids = []
        for post, at in timed:
            held_by = _pause_for(pauses, post.account.id, through_freeze)
            link = card_link_of(post)
            ids.append(queue.add(
                new_items(context, draft, post, at, cards.get(link) if link else None,
                          through_freeze),
                now=now, actor=actor,
                state=State.HELD if held_by else State.QUEUED, held_by=held_by,
                reason=_("scheduled") if not held_by else _("scheduled while paused"),
            ))
        return ids


def _say_subtitle_notices(context: Context, posts: list[PlannedPost], warn: Warn | None) -> None:
    """Where a video's subtitles cannot go with it (the platform takes none)."""
    if not any(m.subtitles for post in posts for m in post.media):
        return
    from publisher.services.adapters import adapters_for
    from publisher.services.media import subtitle_notices

    adapters = adapters_for(context, lambda: datetime.now(UTC))
    for notice in subtitle_notices(adapters, [(post.account, post.media) for post in posts]):
        (warn or log.warning)(notice)


def check_time(draft: Draft, at: datetime, now: datetime, check_window: bool) -> None:
    """Refuse a time before the draft's embargo, after its deadline, or (``check_window``)
    more than the default lateness in the past: the rules of a time a person gives."""
    if draft.not_before and at < draft.not_before:
        raise UserError(
            _("{at} is before the embargo of {id!r} ({embargo})").format(
                at=at.isoformat(), id=draft.id, embargo=draft.not_before.isoformat()
            ),
            hint=_("pick a later time"),
        )
    if draft.deadline and at > draft.deadline:
        raise UserError(
            _("{at} is after the deadline of {id!r} ({deadline})").format(
                at=at.isoformat(), id=draft.id, deadline=draft.deadline.isoformat()
            ),
            hint=_("pick an earlier time"),
        )
    if check_window and at < now - DEFAULT_MAX_LATENESS:
        raise UserError(
            _("{at} is more than 6 hours in the past").format(at=at.isoformat()),
            hint=_("pick a time from now on"),
        )


def _refuse_duplicates(queue: Queue, draft: Draft, posts: list[PlannedPost]) -> None:
    """Items still waiting for the same post (sent ones: see refuse_published)."""
    active = [item for item in queue.items(draft_id=draft.id) if item.state not in FINAL]
    for post in posts:
        for item in active:
            if item.account_id == post.account.id and item.locales == post.locales:
                raise UserError(
                    _("{id} is already {state} for {account} ({locales}) as item {item}").format(
                        id=draft.id, state=_(item.state.value), account=post.account.id,
                        locales="+".join(post.locales), item=item.id,
                    ),
                    hint=_("cancel item {item} first to queue it again").format(item=item.id),
                )


def new_items(context: Context, draft: Draft, post: PlannedPost, at: datetime,
              card: CardSnapshot | None, through_freeze: bool = False) -> list[NewItem]:
    """One item per part: each is claimed, sent and recorded exactly once on its own.
    The first part carries the post's media and link card; its replies and comment none."""
    whole = content_hash(post)  # every part's: an edit to any part stops them all
    return [
        NewItem(
            draft_id=draft.id,
            account_id=post.account.id,
            platform=post.account.platform,
            locales=post.locales,
            text=part.text,
            content_hash=whole,
            due_at=at.astimezone(UTC),
            # A key per item, kept across every retry of it.
            idempotency_key=f"pub-{uuid.uuid4().hex}",
            media=post.media if part.kind == PartKind.POST else (),
            timezone=context.audience_for(post.account).timezone,
            deadline=draft.deadline,
            max_lateness_s=post.account.max_lateness_minutes * 60,
            part_kind=part.kind,
            part_no=part.number,
            thread_parts=1 + len(post.thread),
            options=post.options,
            content_warning=post.content_warning or None,
            card=card if part.kind == PartKind.POST else None,
            link_previews=post.link_card,
            through_freeze=through_freeze,
        )
        for part in post.parts()
    ]


def _pause_for(pauses: dict, account_id: str, through_freeze: bool = False) -> str | None:
    if FREEZE in pauses and not through_freeze:
        return "freeze"
    if account_id in pauses:
        return "pause"
    return None


# A person's decisions


def pause(context: Context, account_id: str | None, reason: str, now: datetime, *,
          by: str = UNNAMED) -> int:
    """Freeze everything (account_id None) or one account; returns items held now."""
    if account_id is not None:
        context.account(account_id)
    scope = account_id or FREEZE
    held_by = "pause" if account_id else "freeze"
    with open_queue(context) as queue:
        queue.set_pause(scope, reason, now)
        # The crisis kit's steps and corrections go on through the freeze (README).
        items = [item for item in queue.items(PENDING, account_id=account_id)
                 if item.target is None]
        why = _("frozen: {reason}") if not account_id else _("account paused: {reason}")
        return queue.move_many(
            [(i.id, i.state, State.HELD, why.format(reason=reason or "-"),
              {"held_by": held_by}) for i in items],
            now=now, actor=by,
        )


def resume(context: Context, account_id: str | None, now: datetime, *,
           by: str = UNNAMED) -> int:
    """Lift the freeze or an account's pause (and its auth hold); returns items released."""
    if account_id is not None:
        context.account(account_id)
    with open_queue(context) as queue:
        queue.clear_pause(account_id or FREEZE)
        if account_id:
            queue.clear_hold(account_id)
        pauses = queue.pauses()
        holds = queue.holds()
        released = [
            item for item in queue.items([State.HELD], account_id=account_id, steps=True)
            if (item.target is not None or _pause_for(pauses, item.account_id) is None)
            and not (item.held_by == "auth" and item.account_id in holds)
        ]
        return queue.move_many(
            [(i.id, State.HELD, State.QUEUED, _("resumed"), {}) for i in released],
            now=now, actor=by,
        )


# A chain's parts: a part that will never be sent stops the parts after it.
STOPS_LATER_PARTS = frozenset({State.FAILED, State.EXPIRED, State.CANCELLED})


def not_sent_before(item_id: int, state: State) -> str:
    """Why a later part of a chain is not sent: the part before it (``item_id``, now in
    ``state``) was not."""
    return _("the post it replies to was not sent (item {id} is {state})").format(
        id=item_id, state=_(state.value))


def stopped_as(before: State) -> State:
    """What a later part becomes when the part before it ends in ``before``: cancelled
    with it, expired with it (it was due at the same time), else failed."""
    return before if before in (State.CANCELLED, State.EXPIRED) else State.FAILED


def stop_later_parts(queue: Queue, item: Item, target: State, now: datetime,
                     actor: str) -> list[Item]:
    """Stop the parts after ``item`` (which just became ``target``) that wait to be sent:
    never an orphan reply. Returns them as they are now. A part held by a pause stays
    held: when resumed, the flush stops it the same way."""
    why = not_sent_before(item.id, target)
    stopped = stopped_as(target)
    moves: list[tuple[int, State, State, str, dict]] = []
    for later in queue.later_parts(item):
        if stopped == State.CANCELLED and later.state not in FINAL | {State.SENDING}:
            moves.append((later.id, later.state, State.CANCELLED, why, {}))
        elif later.state in PENDING:
            fields = {"last_error": why, "remedy": None} if stopped == State.FAILED else {}
            moves.append((later.id, later.state, stopped, why, fields))
    queue.move_many(moves, now=now, actor=actor)
    return [moved for move in moves if (moved := queue.get(move[0])) is not None]


def retry_item(context: Context, item_id: int, now: datetime, *, by: str = UNNAMED) -> None:
    """A person sends a failed, unknown or expired item again, from now on (with the
    later parts of its chain that were stopped because it was not sent)."""
    with open_queue(context) as queue, queue.transaction():
        item = get_item(queue, item_id)
        if item.state not in NEEDS_PERSON | {State.EXPIRED}:
            raise UserError(
                _("item {id} is {state}; only failed, unknown or expired items can be retried")
                .format(id=item_id, state=_(item.state.value))
            )
        again = [item] + [later for later in queue.later_parts(item)
                          if later.state in (State.FAILED, State.EXPIRED)]
        for part in again:
            queue.move(
                part.id, part.state, State.QUEUED, now=now, actor=by,
                reason=_("a person asked to send it again"),
                due_at=now, next_attempt_at=None, last_error=None, remedy=None,
            )


def cancel_item(context: Context, item_id: int, now: datetime, *, by: str = UNNAMED) -> None:
    """Cancel an item that was not sent, and the later parts of its chain with it."""
    with open_queue(context) as queue, queue.transaction():
        item = get_item(queue, item_id)
        try:
            queue.move(item_id, item.state, State.CANCELLED, now=now, actor=by,
                       reason=_("cancelled by a person"))
            stop_later_parts(queue, item, State.CANCELLED, now, by)
        except IllegalMove:
            raise UserError(
                _("item {id} is {state} and cannot be cancelled").format(
                    id=item_id, state=_(item.state.value)
                )
            ) from None


def publish_item_now(context: Context, item_id: int,
                     clock: Callable[[], datetime], *, by: str = UNNAMED,
                     progress: Progress | None = None) -> FlushReport:
    """Send one item now: bypasses its time, never the freeze or a paused account.

    A failed, unknown or expired item is queued again first; a waiting one is
    brought forward. Returns the flush report of that one item. ``progress``: told
    how far each video upload got (as the flush's).
    """
    from publisher.services import flush as flushing  # the flush imports this module

    now = clock()
    with open_queue(context) as queue:
        item = get_item(queue, item_id)
        pauses = queue.pauses()
        if FREEZE in pauses or item.account_id in pauses or item.state == State.HELD:
            raise UserError(_("item {id} is held by a pause").format(id=item_id),
                            hint=_("resume first"))
        before = queue.get(item.after) if item.after is not None else None
        if before is not None and before.state != State.SENT:
            raise UserError(
                _("item {id} replies to item {before}, which is {state}").format(
                    id=item_id, before=before.id, state=_(before.state.value)),
                hint=_("publish item {before} first").format(before=before.id))
        # The parts after it go with it (each still waits for the one before).
        parts = [item, *queue.later_parts(item)]
        for part in parts:
            if part.state in PENDING and part.due_at > now:
                # Through "held" and back: the only legal way to change a waiting time,
                # and the history says who and why.
                why = _("a person asked to publish it now")
                queue.move(part.id, part.state, State.HELD, now=now, actor=by,
                           reason=why, held_by="pause")
                queue.move(part.id, State.HELD, State.QUEUED, now=now, actor=by,
                           reason=why, due_at=now, next_attempt_at=None)
    if item.state in NEEDS_PERSON | {State.EXPIRED}:
        retry_item(context, item_id, now, by=by)
    elif item.state not in PENDING:
        raise UserError(_("item {id} is {state}; nothing to publish").format(
            id=item_id, state=_(item.state.value)))
    return flushing.flush(context, clock=clock, only={part.id for part in parts}, actor=by,
                          progress=progress)


def get_item(queue: Queue, item_id: int) -> Item:
    item = queue.get(item_id)
    if item is None:
        raise UserError(
            _("no queue item {id}").format(id=item_id), remedy=Remedy(Fix.SHOW_QUEUE)
        )
    return item



# What the queue holds: 'publisher queue' and the queue screen show this view


@dataclass(frozen=True)
class QueueOverview:
    items: list[Item]  # in due order
    freeze: Pause | None
    paused: dict[str, Pause]  # account id -> its pause
    holds: dict[str, AccountHold]
    last_flush: FlushRun | None = None  # when the last flush ran and what it did

    @property
    def stopped(self) -> list[StoppedAccount]:
        """The paused and held accounts, each with the remedy that gets it sending."""
        return stopped_accounts(self.paused, self.holds)


class PartOfPost(Protocol):
    """What says which part of its post something is (a queue item, a calendar post)."""

    @property
    def part_kind(self) -> PartKind: ...
    @property
    def part_no(self) -> int: ...
    @property
    def thread_parts(self) -> int: ...
    @property
    def is_correction(self) -> bool: ...


def part_label(item: PartOfPost) -> str:
    """Which part of its post an item is, as people read it: "thread 2/3", "first
    comment", "correction" (posted under it by ``correct``), or "" for a post alone."""
    if item.is_correction:
        return _("correction")
    if item.part_kind == PartKind.COMMENT:
        return _("first comment")
    if item.thread_parts > 1:
        return _("thread {n}/{total}").format(n=item.part_no, total=item.thread_parts)
    return ""


def locales_and_part(item: PartOfPost, locales: tuple[str, ...]) -> str:
    """An item's locales, and which part of its post it is when it is one of several:
    "en, thread 2/3" (the CLI and the terminal UI show the same words)."""
    label = part_label(item)
    joined = "+".join(locales)
    return f"{joined}, {label}" if label else joined


def item_remedy(item: Item) -> Remedy | None:
    """What a person does about an item now, or None (it goes out by itself, or there is
    nothing to do): an unknown fate is checked, then resolved (posted or not); an auth hold
    needs a login and a resume; a failure keeps the remedy of its error (an account
    setting to give, say)."""
    if item.state == State.UNKNOWN:
        return Remedy(Fix.RESOLVE_UNKNOWN, item=item.id)
    if item.state == State.HELD and item.held_by == "auth":
        return Remedy(Fix.LOG_IN_AND_RESUME, account=item.account_id)
    if item.state == State.FAILED and item.last_error:
        return item.remedy
    return None


def queue_overview(
    context: Context, *, states: Collection[State] | None = None,
    include_final: bool = False, recent_since: datetime | None = None,
) -> QueueOverview:
    """The queue's items (of ``states`` when given; sent, cancelled and expired ones only
    with ``include_final``, or when they became so after ``recent_since``), the freeze,
    pauses and holds."""
    with open_queue(context) as queue:
        items = queue.items(list(states) if states is not None else None, steps=True)
        pauses = queue.pauses()
        holds = queue.holds()
        last_flush = queue.last_flush()
    if not include_final:
        items = [item for item in items if item.state not in FINAL
                 or (recent_since is not None and item.updated_at >= recent_since)]
    freeze = pauses.pop(FREEZE, None)
    return QueueOverview(items, freeze, pauses, holds, last_flush)
