"""Putting drafts into the send queue, and a person's decisions about items.

Scheduling snapshots the text and images that will be sent. An edit to the
draft afterwards is never sent silently, and neither is the superseded
snapshot: the flush compares the two and refuses (``failed``) every pending
item of an edited, unapproved or vanished draft. To send the edit, cancel the
items, approve the draft again and schedule it again.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from publisher.domain.accounts import Account
from publisher.domain.drafts import Draft, TranslationState
from publisher.domain.errors import UserError
from publisher.domain.queue import FINAL, NEEDS_PERSON, PENDING, IllegalMove, State
from publisher.domain.remedies import Fix, Remedy, remedy_of
from publisher.domain.textrules import count_text
from publisher.i18n import _
from publisher.services.accounts import StoppedAccount, stopped_accounts
from publisher.services.context import Context
from publisher.services.link_cards import Warn, card_link_of, read_cards
from publisher.services.queue_file import open_queue, published_posts, refuse_published
from publisher.storage.queue import (
    FREEZE,
    AccountHold,
    CardSnapshot,
    Item,
    MediaSnapshot,
    NewItem,
    Pause,
    Queue,
)

if TYPE_CHECKING:
    from publisher.platforms.registry import Adapters
    from publisher.services.flush import FlushReport

DEFAULT_MAX_LATENESS = timedelta(hours=6)
COMBINED_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class PlannedPost:
    """One post to make: an account and the locale(s) its text combines."""

    account: Account
    locales: tuple[str, ...]
    text: str
    media: tuple[MediaSnapshot, ...]
    link_card: bool = True  # the draft's link_card: false also stops the platforms' previews


def plan_posts(
    context: Context, draft: Draft, *, allow_stale: bool = False, adapters: Adapters | None = None
) -> list[PlannedPost]:
    """Every post a draft makes (account × locale per layout), checked to go out.

    Raises :class:`UserError` naming the draft, account and locale for the
    first thing that would stop a post: a missing or stale variant, a text
    over the platform's limit, a missing image.
    """
    if not draft.approved:
        raise UserError(
            _("draft {id!r} is not approved").format(id=draft.id),
            remedy=Remedy(Fix.APPROVE_DRAFT, draft=draft.id),
        )
    if not draft.accounts:
        raise UserError(_("draft {id!r} has no accounts").format(id=draft.id))
    posts = []
    for account_id in draft.accounts:
        account = context.account(account_id)
        groups = [account.locales] if account.layout == "combined" else [
            (tag,) for tag in account.locales
        ]
        for locales in groups:
            texts = [_variant_text(draft, tag, account, allow_stale) for tag in locales]
            post = PlannedPost(
                account, tuple(locales), COMBINED_SEPARATOR.join(texts),
                _media(context, draft, locales), draft.link_card,
            )
            _check_fits(draft, post)
            _check_platform(context, draft, post, adapters)
            posts.append(post)
    return posts


def _variant_text(draft: Draft, locale: str, account: Account, allow_stale: bool) -> str:
    state = draft.state(locale)
    if state == TranslationState.MISSING:
        raise UserError(
            _("draft {id!r} has no {locale} text, which {account} posts in").format(
                id=draft.id, locale=locale, account=account.id
            ),
            hint=_("translate it, or remove {locale} from the account").format(locale=locale),
        )
    if state == TranslationState.STALE and not allow_stale:
        raise UserError(
            _("the {locale} text of {id!r} is stale (its source changed)").format(
                locale=locale, id=draft.id
            ),
            remedy=Remedy(Fix.ALLOW_STALE, draft=draft.id),
        )
    variant = draft.variant(locale)
    assert variant is not None
    return variant.text


def _media(context: Context, draft: Draft, locales: tuple[str, ...]) -> tuple[MediaSnapshot, ...]:
    where = context.workspace.relative(context.drafts.path_of(draft.id))
    snapshots = []
    for media in draft.media:
        path = context.workspace.media_file(media.file, where)
        alt = " / ".join(text for text in (media.alt_for(tag) for tag in locales) if text)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        snapshots.append(MediaSnapshot(media.file, alt, digest))
    return tuple(snapshots)


def _check_fits(draft: Draft, post: PlannedPost) -> None:
    count = count_text(post.account.text_platform, post.text, has_media=bool(post.media))
    if count.problems:
        raise UserError(
            _("{id} on {account} ({locales}): {problem}").format(
                id=draft.id, account=post.account.id, locales="+".join(post.locales),
                problem=count.problems[0],
            ),
            hint=_("shorten the text, or post the locales separately")
            if len(post.locales) > 1 else _("shorten the text"),
        )


def _check_platform(
    context: Context, draft: Draft, post: PlannedPost, adapters: Adapters | None
) -> None:
    """The adapter's own rules (image count and size, alt text where required)."""
    from publisher.platforms.base import MediaFile, Post
    from publisher.services.checking import platform_problems

    media = tuple(
        MediaFile(context.workspace.media_file(m.file), m.alt, m.sha256) for m in post.media
    )
    problems = platform_problems(
        context, Post(post.account, post.text, post.locales, media, draft.id),
        lambda: datetime.now(UTC), adapters,
    )
    if problems:
        # A problem of the account's settings (a media address, a handle) says how to fix
        # it; the others are the draft's.
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
    digest = hashlib.sha256(post.text.encode("utf-8"))
    for media in post.media:
        digest.update(f"\0{media.file}\0{media.alt}\0{media.sha256}".encode())
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
    actor: str = "person",
    check_window: bool = True,
    again: bool = False,
    warn: Warn | None = None,
) -> list[int]:
    """Queue every post of a draft at ``at``; returns the new item ids.

    ``again``: queue it on accounts it was already published on (a person said so).
    ``warn``: where a page that gives no link card is said (else the log).
    """
    draft = context.drafts.load(draft_id).draft
    if at.tzinfo is None:
        raise UserError(_("the time needs its UTC offset"), hint="2026-11-28T08:00:00+01:00")
    _check_time(draft, at, now, check_window)
    posts = plan_posts(context, draft, allow_stale=allow_stale)
    return queue_posts(context, draft, [(post, at) for post in posts], now=now, actor=actor,
                       again=again, warn=warn)


def queue_posts(
    context: Context,
    draft: Draft,
    timed: list[tuple[PlannedPost, datetime]],
    *,
    now: datetime,
    actor: str = "person",
    again: bool = False,
    warn: Warn | None = None,
) -> list[int]:
    """Queue planned posts, each at its own time (items of a paused account are held).

    Refuses a draft already published on one of the accounts (the journal and
    the queue's sent items say so) unless ``again``. The link cards are read
    first, outside the queue's lock (``warn`` says which pages gave none).
    """
    cards = read_cards(context, [post for post, _at in timed], warn=warn)
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
            held_by = _pause_for(pauses, post.account.id)
            link = card_link_of(post)
            ids += queue.add(
                [_new_item(context, draft, post, at, cards.get(link) if link else None)],
                now=now, actor=actor,
                state=State.HELD if held_by else State.QUEUED, held_by=held_by,
                reason=_("scheduled") if not held_by else _("scheduled while paused"),
            )
        return ids


def _check_time(draft: Draft, at: datetime, now: datetime, check_window: bool) -> None:
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


def _new_item(context: Context, draft: Draft, post: PlannedPost, at: datetime,
              card: CardSnapshot | None) -> NewItem:
    return NewItem(
        draft_id=draft.id,
        account_id=post.account.id,
        platform=post.account.platform,
        locales=post.locales,
        text=post.text,
        content_hash=content_hash(post),
        due_at=at.astimezone(UTC),
        # A key per item, kept across every retry of it.
        idempotency_key=f"pub-{uuid.uuid4().hex}",
        media=post.media,
        timezone=context.audience_for(post.account).timezone,
        deadline=draft.deadline,
        max_lateness_s=post.account.max_lateness_minutes * 60,
        card=card,
        link_previews=post.link_card,
    )


def _pause_for(pauses: dict, account_id: str) -> str | None:
    if FREEZE in pauses:
        return "freeze"
    if account_id in pauses:
        return "pause"
    return None


# A person's decisions


def pause(context: Context, account_id: str | None, reason: str, now: datetime) -> int:
    """Freeze everything (account_id None) or one account; returns items held now."""
    if account_id is not None:
        context.account(account_id)
    scope = account_id or FREEZE
    held_by = "pause" if account_id else "freeze"
    with open_queue(context) as queue:
        queue.set_pause(scope, reason, now)
        items = queue.items(PENDING, account_id=account_id)
        why = _("frozen: {reason}") if not account_id else _("account paused: {reason}")
        return queue.move_many(
            [(i.id, i.state, State.HELD, why.format(reason=reason or "-"),
              {"held_by": held_by}) for i in items],
            now=now, actor="person",
        )


def resume(context: Context, account_id: str | None, now: datetime) -> int:
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
            item for item in queue.items([State.HELD], account_id=account_id)
            if _pause_for(pauses, item.account_id) is None
            and not (item.held_by == "auth" and item.account_id in holds)
        ]
        return queue.move_many(
            [(i.id, State.HELD, State.QUEUED, _("resumed"), {}) for i in released],
            now=now, actor="person",
        )


def retry_item(context: Context, item_id: int, now: datetime) -> None:
    """A person sends a failed, unknown or expired item again, from now on."""
    with open_queue(context) as queue:
        item = _get(queue, item_id)
        if item.state not in NEEDS_PERSON | {State.EXPIRED}:
            raise UserError(
                _("item {id} is {state}; only failed, unknown or expired items can be retried")
                .format(id=item_id, state=_(item.state.value))
            )
        queue.move(
            item_id, item.state, State.QUEUED, now=now, actor="person",
            reason=_("a person asked to send it again"),
            due_at=now, next_attempt_at=None, last_error=None, remedy=None,
        )


def cancel_item(context: Context, item_id: int, now: datetime) -> None:
    with open_queue(context) as queue:
        item = _get(queue, item_id)
        try:
            queue.move(item_id, item.state, State.CANCELLED, now=now, actor="person",
                       reason=_("cancelled by a person"))
        except IllegalMove:
            raise UserError(
                _("item {id} is {state} and cannot be cancelled").format(
                    id=item_id, state=_(item.state.value)
                )
            ) from None


def publish_item_now(context: Context, item_id: int,
                     clock: Callable[[], datetime]) -> FlushReport:
    """Send one item now: bypasses its time, never the freeze or a paused account.

    A failed, unknown or expired item is queued again first; a waiting one is
    brought forward. Returns the flush report of that one item.
    """
    from publisher.services import flush as flushing  # the flush imports this module

    now = clock()
    with open_queue(context) as queue:
        item = _get(queue, item_id)
        pauses = queue.pauses()
        if FREEZE in pauses or item.account_id in pauses or item.state == State.HELD:
            raise UserError(_("item {id} is held by a pause").format(id=item_id),
                            hint=_("resume first"))
        if item.state in PENDING and item.due_at > now:
            # Through "held" and back: the only legal way to change a waiting time,
            # and the history says who and why.
            why = _("a person asked to publish it now")
            queue.move(item_id, item.state, State.HELD, now=now, actor="person", reason=why,
                       held_by="pause")
            queue.move(item_id, State.HELD, State.QUEUED, now=now, actor="person", reason=why,
                       due_at=now, next_attempt_at=None)
    if item.state in NEEDS_PERSON | {State.EXPIRED}:
        retry_item(context, item_id, now)
    elif item.state not in PENDING:
        raise UserError(_("item {id} is {state}; nothing to publish").format(
            id=item_id, state=_(item.state.value)))
    return flushing.flush(context, clock=clock, only={item_id})


def _get(queue: Queue, item_id: int):
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

    @property
    def stopped(self) -> list[StoppedAccount]:
        """The paused and held accounts, each with the remedy that gets it sending."""
        return stopped_accounts(self.paused, self.holds)


def item_remedy(item: Item) -> Remedy | None:
    """What a person does about an item now, or None (it goes out by itself, or there is
    nothing to do): an unknown fate is checked, then retried or cancelled; an auth hold
    needs a login and a resume; a failure keeps the remedy of its error (an account
    setting to give, say)."""
    if item.state == State.UNKNOWN:
        return Remedy(Fix.RETRY_OR_CANCEL, item=item.id)
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
        items = queue.items(list(states) if states is not None else None)
        pauses = queue.pauses()
        holds = queue.holds()
    if not include_final:
        items = [item for item in items if item.state not in FINAL
                 or (recent_since is not None and item.updated_at >= recent_since)]
    freeze = pauses.pop(FREEZE, None)
    return QueueOverview(items, freeze, pauses, holds)
