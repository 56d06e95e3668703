"""Retracting and correcting a published draft, and resolving an ``unknown`` item.

A retraction or a correction is first a plan, per account, locale and part of each
post: delete, edit, repost (delete, then post the new text again), reply (the new
text under the post), cancel (not sent yet) or cannot (why, and the URL to do it by
hand). Acting on it queues every deletion and edit as an item of its own (with its
state and history, exactly once, resumed by the next flush after a crash) and runs
them at once, as ``publish-now`` does. The freeze does not hold them.

Who decided is the operating system's login
(:func:`publisher.services.people.login_name`), passed in by the front ends so that
tests can give another.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from publisher.domain.corrections import (
    How,
    Means,
    Step,
    children_first,
    choose_how,
    reply_kind,
)
from publisher.domain.errors import UserError
from publisher.domain.posttypes import PartKind
from publisher.domain.queue import FINAL, PENDING, Action, State
from publisher.domain.remedies import Fix, Remedy
from publisher.i18n import _
from publisher.platforms.base import (
    Abilities,
    AuthFailed,
    PlatformError,
    Published,
    RateLimited,
    Rejected,
    Transient,
    Unsupported,
)
from publisher.platforms.registry import Adapters, UnsupportedPlatform
from publisher.services.context import Context
from publisher.services.link_cards import card_link_of
from publisher.services.people import login_name as login_name  # re-exported for front ends
from publisher.services.queue_file import open_queue, record_published
from publisher.services.queueing import (
    PlannedPost,
    content_hash,
    get_item,
    new_items,
    part_label,
    plan_posts,
)
from publisher.storage.queue import Item, NewItem, Queue, StaleState

# States in which a step already queued does the work (a new one would do it twice).
_UNDER_WAY = PENDING | {State.HELD, State.SENDING}
# Not sent, and a person may still send it: a retraction cancels these.
_NOT_SENT = PENDING | {State.HELD, State.FAILED, State.EXPIRED}


@dataclass(frozen=True)
class PlanStep:
    """One line of the plan: what happens to one part of one post (or a pending item)."""

    account: str
    locales: tuple[str, ...]
    part: str  # "post", "thread 2/3", "first comment"
    item: int  # the queue item it is about
    action: Step
    why: str = ""
    url: str | None = None


@dataclass(frozen=True)
class _Deletion:
    """Delete a post's parts, children first (``targets`` in that order)."""

    targets: tuple[Item, ...]


@dataclass(frozen=True)
class _Edit:
    target: Item
    text: str
    content_warning: str | None
    content_hash: str


@dataclass(frozen=True)
class _Repost:
    """Delete the old post (every part, children first), then post ``post`` again."""

    old: tuple[Item, ...]  # children first
    post: PlannedPost
    draft_id: str


@dataclass(frozen=True)
class _Reply:
    first: Item  # the post it goes under
    corrects: Item
    text: str
    kind: PartKind
    post: PlannedPost


@dataclass
class Plan:
    draft_id: str
    correction: bool = False  # False: a retraction
    steps: list[PlanStep] = field(default_factory=list)
    reason: str = ""
    cancels: list[Item] = field(default_factory=list)
    work: list[_Deletion | _Edit | _Repost | _Reply] = field(default_factory=list)

    @property
    def cannot(self) -> list[PlanStep]:
        return [step for step in self.steps if step.action == Step.CANNOT]


@dataclass(frozen=True)
class StepOutcome:
    """Where one queue item the plan made (or cancelled) stands after acting."""

    item: int
    action: str  # delete | edit | post | cancel
    target: int | None
    account: str
    locales: tuple[str, ...]
    part: str
    state: State
    detail: str = ""
    url: str | None = None


@dataclass
class Done:
    """What acting did: each step's outcome; ``locked``: another flush ran, the steps
    wait for the next one."""

    outcomes: list[StepOutcome]
    cannot: list[PlanStep]
    locked: bool = False

    @property
    def exit_code(self) -> int:
        needs_person = self.cannot or any(
            o.state in (State.FAILED, State.UNKNOWN)
            or (o.state == State.HELD and o.action != "cancel") for o in self.outcomes)
        if needs_person:
            return 4
        if self.locked or any(o.state not in FINAL for o in self.outcomes):
            return 3
        return 0


# What is published


@dataclass(frozen=True)
class _Chain:
    """One post as it stands on its account: its parts sent and not deleted."""

    parts: tuple[Item, ...]  # in part order, correction replies after the post's own

    @property
    def account(self) -> str:
        return self.parts[0].account_id

    @property
    def locales(self) -> tuple[str, ...]:
        return self.parts[0].locales

    def own_parts(self) -> list[Item]:
        """The post's parts, without the corrections replied under it."""
        ids = {part.id for part in self.parts}
        return [part for part in self.parts if part.target not in ids]


@dataclass
class _Published:
    chains: list[_Chain]
    under_way: dict[tuple[int, Action], Item]  # (target, action) -> the step doing it
    current: dict[int, tuple[str, str | None]]  # part -> (text, content warning) now
    not_sent: list[Item]  # posts of the draft not sent (a person may still send them)
    unsure: list[Item]  # unknown or being sent: a person checks


def _published(queue: Queue, draft_id: str, account: str | None = None) -> _Published:
    every = queue.items(draft_id=draft_id, account_id=account, steps=True)
    steps = [item for item in every if item.is_step]
    deleted = {s.target for s in steps if s.action == Action.DELETE and s.state == State.SENT}
    under_way = {(s.target, s.action): s for s in steps
                 if s.target is not None and s.state in _UNDER_WAY}
    sent = [item for item in every if not item.is_step and item.state == State.SENT
            and item.id not in deleted]
    current = {item.id: (item.text, item.content_warning) for item in sent}
    # What edits and correction replies made of each part since, oldest first.
    for later in sorted([s for s in steps if s.action == Action.EDIT] + sent,
                        key=lambda i: i.id):
        if later.target in current and later.state == State.SENT and (
                later.is_step or later.chain_of is not None):
            current[later.target] = (later.text, later.content_warning)
    chains: dict[int, list[Item]] = {}
    for item in sent:
        chains.setdefault(item.chain_id, []).append(item)
    posts = [item for item in every if not item.is_step]
    return _Published(
        [_Chain(tuple(sorted(parts, key=lambda i: (i.part_no, i.id))))
         for _first, parts in sorted(chains.items())],
        under_way, current,
        [item for item in posts if item.state in _NOT_SENT],
        [item for item in posts if item.state in (State.UNKNOWN, State.SENDING)])


def _part(item: Item) -> str:
    return part_label(item) or _("post")


def _abilities(context: Context, adapters: Adapters, account_id: str) -> Abilities:
    """What the account's platform can do to a sent post (nothing, for an account no
    longer in the workspace or an adapter that does not say)."""
    account = context.accounts.get(account_id)
    if account is None:
        why = _("account {id!r} no longer exists").format(id=account_id)
        return Abilities(False, False, why, why)
    try:
        adapter = adapters.for_account(account)
    except UnsupportedPlatform as error:
        return Abilities(False, False, str(error), str(error))
    abilities = getattr(adapter, "abilities", None)
    if not isinstance(abilities, Abilities):
        why = _("this publisher cannot do it on {platform} yet").format(
            platform=account.platform)
        return Abilities(False, False, why, why)
    return replace(abilities, why_not_delete=_(abilities.why_not_delete),
                   why_not_edit=_(abilities.why_not_edit))


def _adapters(context: Context, clock: Callable[[], datetime],
              adapters: Adapters | None) -> Adapters:
    from publisher.services.adapters import adapters_for

    return adapters or adapters_for(context, clock)


def _unsure_steps(published: _Published) -> list[PlanStep]:
    steps = []
    for item in published.unsure:
        why = _("being sent right now; run the command again in a minute") \
            if item.state == State.SENDING else _(
                "it may have gone out: check the account, then resolve item {id} (posted or "
                "not)").format(id=item.id)
        steps.append(PlanStep(item.account_id, item.locales, _part(item), item.id,
                              Step.CANNOT, why, item.url))
    return steps


def _cancel_steps(items: list[Item], why: str) -> list[PlanStep]:
    return [PlanStep(item.account_id, item.locales, _part(item), item.id, Step.CANCEL,
                     why.format(state=_(item.state.value))) for item in items]


# Retract


def plan_retract(context: Context, draft_id: str, *, account: str | None = None,
                 reason: str = "", clock: Callable[[], datetime] | None = None,
                 adapters: Adapters | None = None) -> Plan:
    """What retracting the draft (on one account, or all) does, part by part."""
    clock = clock or (lambda: datetime.now(UTC))
    adapters = _adapters(context, clock, adapters)
    if account is not None:
        context.account(account)
    with open_queue(context) as queue:
        published = _published(queue, draft_id, account)
    if not published.chains and not published.not_sent and not published.unsure:
        message = _("{id} has no post to retract on {account}") if account else _(
            "{id} has no post to retract")
        raise UserError(message.format(id=draft_id, account=account),
                        remedy=Remedy(Fix.SHOW_QUEUE))
    plan = Plan(draft_id, reason=reason)
    for chain in published.chains:
        abilities = _abilities(context, adapters, chain.account)
        to_delete = []
        for part in children_first(chain.parts, lambda i: i.part_no * 10_000 + i.id):
            step = published.under_way.get((part.id, Action.DELETE))
            if step is not None:
                why = _("already queued as item {id}").format(id=step.id)
                to_delete.append(part)  # run now with the others (never doubled)
            elif not abilities.deletes(part.part_kind) or not part.remote_id:
                why = _("its id on the platform is unknown (a person gave its URL)") \
                    if abilities.deletes(part.part_kind) else abilities.why_not_delete
                plan.steps.append(PlanStep(chain.account, chain.locales, _part(part),
                                           part.id, Step.CANNOT, why, part.url))
                continue
            else:
                why = ""
                to_delete.append(part)
            plan.steps.append(PlanStep(chain.account, chain.locales, _part(part), part.id,
                                       Step.DELETE, why, part.url))
        if to_delete:
            plan.work.append(_Deletion(tuple(to_delete)))
    plan.steps += _unsure_steps(published)
    plan.steps += _cancel_steps(published.not_sent, _("{state}, not sent: cancelled"))
    plan.cancels = published.not_sent
    return plan


# Correct


def plan_correct(context: Context, draft_id: str, *, how: Mapping[str, How] | None = None,
                 clock: Callable[[], datetime] | None = None,
                 adapters: Adapters | None = None) -> Plan:
    """What bringing every published post of the draft to its new text does.

    Refused (UserError) when the draft is not approved, has no published post, or
    none of its posts differs from what was sent.
    """
    clock = clock or (lambda: datetime.now(UTC))
    adapters = _adapters(context, clock, adapters)
    draft = context.drafts.load(draft_id).draft
    planned = {(post.account.id, post.locales): post for post in plan_posts(context, draft)}
    with open_queue(context) as queue:
        published = _published(queue, draft_id)
    if not published.chains:
        raise UserError(_("{id} has no published post to correct").format(id=draft_id),
                        remedy=Remedy(Fix.SHOW_QUEUE))
    accounts = {chain.account for chain in published.chains}
    for account in sorted(set(how or {}) - accounts):
        raise UserError(_("{account} has no published post of {id}").format(
            account=account, id=draft_id),
            hint=_("accounts: {ids}").format(ids=", ".join(sorted(accounts))))
    plan = Plan(draft_id, correction=True)
    changed = False
    for chain in published.chains:
        post = planned.get((chain.account, chain.locales))
        if post is None:
            why = _("the draft no longer posts on {account} in {locales}; retract it there"
                    ).format(account=chain.account, locales="+".join(chain.locales))
            plan.steps += [PlanStep(chain.account, chain.locales, _part(p), p.id,
                                    Step.CANNOT, why, p.url) for p in chain.parts]
            changed = True
            continue
        changed |= _correct_chain(context, adapters, plan, published, chain, post,
                                  (how or {}).get(chain.account))
    if not changed:
        raise UserError(_("{id} has not changed since it was sent; nothing to correct")
                        .format(id=draft_id),
                        hint=_("edit the draft and approve it again first"))
    stale = [item for item in published.not_sent
             if content_hash_of(planned, item) != item.content_hash]
    plan.steps += _unsure_steps(published)
    plan.steps += _cancel_steps(stale, _("{state}, not sent, with the old text: cancelled "
                                         "(schedule the draft again)"))
    plan.cancels = stale
    return plan


def content_hash_of(planned: dict[tuple[str, tuple[str, ...]], PlannedPost],
                    item: Item) -> str | None:
    post = planned.get((item.account_id, item.locales))
    return content_hash(post) if post else None


def _correct_chain(context: Context, adapters: Adapters, plan: Plan, published: _Published,
                   chain: _Chain, post: PlannedPost, asked: How | None) -> bool:
    """Plan one post's correction; False when it already says the new text."""
    own = chain.own_parts()
    parts = post.parts()
    cw = post.content_warning or None
    pairs = list(zip(own, parts, strict=False))
    differing = [(old, new) for old, new in pairs
                 if published.current[old.id] != (new.text, cw)]
    same_shape = [p.part_kind for p in own] == [p.kind for p in parts]
    same_media = bool(own) and own[0].part_no == 1 and own[0].media == post.media
    if same_shape and same_media and not differing:
        return False
    deleting = [published.under_way[(p.id, Action.DELETE)] for p in chain.parts
                if (p.id, Action.DELETE) in published.under_way]
    if deleting:
        why = _("being deleted (item {id})").format(id=deleting[0].id)
        plan.steps += [PlanStep(chain.account, chain.locales, _part(p), p.id, Step.CANNOT,
                                why, p.url) for p in chain.parts]
        return True
    abilities = _abilities(context, adapters, chain.account)
    kind = reply_kind(post.account.text_platform)
    why_not_edit = "" if abilities.edit else abilities.why_not_edit
    if not (same_shape and same_media):
        why_not_edit = _("its images or its number of parts changed; an edit changes text "
                         "only")
    means = Means(
        edit=abilities.edit and same_shape and same_media,
        delete=all(abilities.deletes(p.part_kind) and p.remote_id for p in chain.parts),
        reply=kind is not None and bool(own) and own[0].id == chain.parts[0].id,
        why_not_edit=why_not_edit,
        why_not_delete=abilities.why_not_delete or _("its id on the platform is unknown"),
        why_not_reply=_("{platform} has no replies or comments").format(
            platform=post.account.text_platform))
    chosen = choose_how(means, asked, chain.account)
    # The parts whose text is not the new one yet, and the new parts beyond the old.
    extra = [(own[0], new) for new in parts[len(own):]] if own else []
    if chosen == How.EDIT:
        for old, new in differing:
            pending = published.under_way.get((old.id, Action.EDIT))
            why = _("already queued as item {id}").format(id=pending.id) \
                if pending is not None and pending.text == new.text else ""
            plan.steps.append(PlanStep(chain.account, chain.locales, _part(old), old.id,
                                       Step.EDIT, why, old.url))
            if pending is not None and pending.text != new.text:
                plan.cancels.append(pending)
            if not why:
                plan.work.append(_Edit(old, new.text, cw, content_hash(post)))
    elif chosen == How.REPOST:
        removed = children_first(chain.parts, lambda i: i.part_no * 10_000 + i.id)
        plan.steps += [PlanStep(chain.account, chain.locales, _part(p), p.id, Step.REPOST,
                                _("delete, then post the new text"), p.url) for p in removed]
        plan.work.append(_Repost(tuple(removed), post, plan.draft_id))
    elif chosen == How.REPLY:
        assert kind is not None  # means.reply said so
        for old, new in differing + extra:
            plan.steps.append(PlanStep(chain.account, chain.locales, _part(old), old.id,
                                       Step.REPLY, _("the new text as a reply under the post"),
                                       old.url))
            plan.work.append(_Reply(own[0], old, new.text, kind, post))
    else:
        why = "; ".join(dict.fromkeys(w for w in (means.why_not_edit, means.why_not_delete,
                                                   means.why_not_reply) if w))
        plan.steps += [PlanStep(chain.account, chain.locales, _part(old), old.id,
                                Step.CANNOT, why, old.url) for old, _new in differing + extra]
    return True


# Acting


def act(context: Context, plan: Plan, *, clock: Callable[[], datetime], who: str,
        adapters: Adapters | None = None) -> Done:
    """Queue the plan's steps and cancellations in one transaction, then run them now
    (as ``publish-now`` does); what is left waits for the next flush."""
    from publisher.services import flush as flushing  # the flush imports queueing
    from publisher.storage.lock import Locked

    now = clock()
    if plan.correction:
        why = _("correcting {id}").format(id=plan.draft_id)
    else:
        why = _("retracting {id}: {reason}").format(id=plan.draft_id, reason=plan.reason or "-")
    with open_queue(context) as queue, queue.transaction():
        cancelled = _cancel(queue, plan.cancels, now, who, why)
        made: list[int] = []
        for work in plan.work:
            made += _queue_work(context, queue, work, now, who, why)
    locked = False
    if made:
        try:
            flushing.flush(context, clock=clock, adapters=adapters, only=set(made))
        except Locked:
            locked = True
    with open_queue(context) as queue:
        outcomes = [_outcome(queue, item_id, "cancel") for item_id in cancelled]
        outcomes += [_outcome(queue, item_id) for item_id in made]
    return Done(outcomes, plan.cannot, locked)


def _cancel(queue: Queue, items: list[Item], now: datetime, who: str, why: str) -> list[int]:
    done = []
    for item in items:
        try:
            queue.move(item.id, item.state, State.CANCELLED, now=now, actor=who, reason=why)
            done.append(item.id)
        except StaleState:
            continue  # moved meanwhile (sent, or cancelled by another person)
    return done


def _queue_work(context: Context, queue: Queue, work: _Deletion | _Edit | _Repost | _Reply,
                now: datetime, who: str, why: str) -> list[int]:
    if isinstance(work, _Deletion):
        return _queue_deletions(queue, work.targets, now, who, why)
    if isinstance(work, _Edit):
        step = replace(_step(work.target, Action.EDIT, now), text=work.text,
                       content_warning=work.content_warning, content_hash=work.content_hash)
        return queue.add([step], now=now, actor=who, reason=why)
    if isinstance(work, _Repost):
        deletions = _queue_deletions(queue, work.old, now, who, why)
        last = queue.get(deletions[-1]) if deletions else None
        return deletions + _queue_repost(context, queue, work, last, now, who, why)
    return queue.add([_reply(context, queue, work, now)], now=now, actor=who, reason=why)


def _queue_deletions(queue: Queue, targets: tuple[Item, ...], now: datetime, who: str,
                     why: str) -> list[int]:
    """A deletion step per part, children first: each waits for the one before it (a
    step already under way for a part is kept, never doubled)."""
    ids: list[int] = []
    before: int | None = None
    # Read once: the parts are one post's, of one draft and account.
    under_way = {s.target: s.id for s in queue.items(
        draft_id=targets[0].draft_id, account_id=targets[0].account_id, steps=True)
        if s.action == Action.DELETE and s.state in _UNDER_WAY} if targets else {}
    for target in targets:
        if target.id in under_way:
            before = under_way[target.id]
            ids.append(before)
            continue
        step = replace(_step(target, Action.DELETE, now), after=before)
        before = queue.add([step], now=now, actor=who, reason=why)[0]
        ids.append(before)
    return ids


def _step(target: Item, action: Action, now: datetime) -> NewItem:
    """A step acting on a sent item: it names the same post (account, locales, part)."""
    return NewItem(
        draft_id=target.draft_id, account_id=target.account_id, platform=target.platform,
        locales=target.locales, text=target.text, content_hash=target.content_hash,
        due_at=now, idempotency_key=f"{action}-{uuid.uuid4().hex}",
        timezone=target.timezone, part_kind=target.part_kind, part_no=target.part_no,
        thread_parts=target.thread_parts, options=target.options,
        content_warning=target.content_warning, action=action, target=target.id)


def _queue_repost(context: Context, queue: Queue, work: _Repost, deletion: Item | None,
                  now: datetime, who: str, why: str) -> list[int]:
    """The new post, whole chain, its first part waiting for the old first post's
    deletion (never both online, never the new one if the old one stays)."""
    draft = context.drafts.load(work.draft_id).draft
    first_old = work.old[-1]
    card = first_old.card if first_old.card and card_link_of(work.post) == first_old.card.url \
        else None
    items = new_items(context, draft, work.post, now, card)
    items = [replace(item, target=first_old.id,
                     after=deletion.id if deletion and index == 0 else None)
             for index, item in enumerate(items)]
    return queue.add(items, now=now, actor=who, reason=why)


def _reply(context: Context, queue: Queue, work: _Reply, now: datetime) -> NewItem:
    """The new text under the post (a reply, or a comment where the platform has no
    threads), after every part the chain has."""
    later = queue.later_parts(work.first)
    number = max([work.first.part_no, *(p.part_no for p in later)]) + 1
    return NewItem(
        draft_id=work.first.draft_id, account_id=work.first.account_id,
        platform=work.first.platform, locales=work.first.locales, text=work.text,
        content_hash=content_hash(work.post), due_at=now,
        idempotency_key=f"pub-{uuid.uuid4().hex}", timezone=work.first.timezone,
        max_lateness_s=work.first.max_lateness_s, part_kind=work.kind, part_no=number,
        thread_parts=work.first.thread_parts, options=work.post.options,
        content_warning=work.post.content_warning or None,
        link_previews=work.post.link_card, target=work.corrects.id,
        chain_of=work.first.id, after=work.first.id)


def _outcome(queue: Queue, item_id: int, action: str | None = None) -> StepOutcome:
    item = queue.get(item_id)
    assert item is not None  # made or read in this command; the queue keeps every item
    return StepOutcome(item_id, action or str(item.action), item.target, item.account_id,
                       item.locales, _part(item), item.state,
                       item.last_error or _last_reason(queue, item), item.url)


def _last_reason(queue: Queue, item: Item) -> str:
    rows = queue.history(item.id)
    return rows[-1].reason if rows else ""


# Resolving an unknown item


@dataclass(frozen=True)
class Resolved:
    item: Item
    confirmed: bool  # the platform confirmed the URL (False: the person's word)


def resolve_posted(context: Context, item_id: int, url: str, *, who: str,
                   clock: Callable[[], datetime], adapters: Adapters | None = None
                   ) -> Resolved:
    """A person says the unknown item went out, at ``url``: checked with the platform
    where it can, recorded as sent with that id and URL (and in the journal)."""
    url = url.strip()
    if not url:
        raise UserError(_("the post's URL is empty"))
    with open_queue(context) as queue:
        item = _unknown(queue, item_id)
    account = context.account(item.account_id)
    try:
        adapter = _adapters(context, clock, adapters).for_account(account)
        found: Published | None = adapter.locate(url)
        # The id read from the address, the post not looked up (Telegram's bot).
        confirmed = getattr(getattr(adapter, "abilities", None), "confirms", True)
    except Unsupported:
        found, confirmed = None, False
    except Rejected as error:
        raise UserError(_("{url} is not a post of {account}: {error}").format(
            url=url, account=account.id, error=error.message),
            hint=_("give the URL of the post item {id} made").format(id=item_id)) from None
    except (AuthFailed, RateLimited, Transient) as error:
        raise UserError(_("could not check {url} with {account}: {error}").format(
            url=url, account=account.id, error=error.message),
            hint=_("try again in a moment")) from None
    except (PlatformError, UnsupportedPlatform) as error:
        raise UserError(_("could not check {url} with {account}: {error}").format(
            url=url, account=account.id, error=error)) from None
    now = clock()
    if found is not None:
        why = _("{who} said it went out at {url}; the platform confirmed it") if confirmed \
            else _("{who} said it went out at {url}; the platform could not confirm it")
        why = why.format(who=who, url=found.url or url)
        published = Published(found.remote_id, found.url or url, found.ref)
    else:
        why = _("{who} said it went out at {url}; the platform could not confirm it").format(
            who=who, url=url)
        published = Published("", url)
    with open_queue(context) as queue:  # opened (caught up with the journal) first
        item = _unknown(queue, item_id)
        # The journal first, as the flush does: a crash between the two never reposts.
        record_published(context, item, published, now)
        queue.move(item.id, State.UNKNOWN, State.SENT, now=now, actor=who, reason=why,
                   remote_id=published.remote_id or None, url=published.url,
                   ref=published.ref, last_error=None, remedy=None)
        moved = get_item(queue, item_id)
    return Resolved(moved, found is not None and confirmed)


def resolve_not_posted(context: Context, item_id: int, *, who: str, now: datetime) -> Item:
    """A person says the unknown item did not go out: back in the queue, to send now."""
    with open_queue(context) as queue, queue.transaction():
        item = _unknown(queue, item_id)
        queue.move(item.id, State.UNKNOWN, State.QUEUED, now=now, actor=who,
                   reason=_("{who} said it did not go out; it is sent again").format(who=who),
                   due_at=now, next_attempt_at=None, last_error=None, remedy=None)
        return get_item(queue, item_id)


def _unknown(queue: Queue, item_id: int) -> Item:
    item = get_item(queue, item_id)
    if item.state != State.UNKNOWN:
        raise UserError(_("item {id} is {state}; only an unknown item is resolved").format(
            id=item_id, state=_(item.state.value)))
    return item
