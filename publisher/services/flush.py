"""Flush: send what is due, exactly once, and keep going when one account fails.

The order of work, each step committed before the next:

1. take the flush lock (an OS lock: dies with the process) or give up (75);
   with posts waiting for accounts that need a secret, stop (2) unless the
   keyring opens;
2. recover items a dead flush left in ``sending`` (an item under a live lease,
   whose holder may still run, is left alone): ask the platform whether
   the post exists; resend with the same idempotency key only where that
   cannot duplicate it; otherwise mark it ``unknown`` for a person;
3. hold items of paused accounts, expire items overdue past their deadline
   or the account's maximum lateness;
4. refuse (``failed``) items whose draft changed since they were queued: an
   edit after approval is approved and scheduled again, never sent silently
   (a draft file that cannot be read leaves its items waiting for a person);
5. for each due item: claim it (``sending`` + claim token + lease, committed
   before any network call), publish, record the outcome by failure kind;
6. warn of tokens that expire within a week and cannot renew themselves, for
   accounts with posts waiting (each account once a day, not every minute);
7. note in the queue that it has caught up with the journal lines of the run,
   and when the run ended and what it did (the terminal UI shows it, and warns
   when posts are due and no flush came for a while);
8. tell people what waits for them (publisher.services.notifications), within a
   few seconds, never changing what the run did or its exit code.

A run has a deadline (:class:`Deadlines`): past it, it claims no new item and
leaves the rest for the next run; no request lasts longer than its own
deadline, nor past the run's end.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publisher.domain.approvals import CRON
from publisher.domain.errors import UserError
from publisher.domain.posttypes import PartKind
from publisher.domain.queue import PENDING, Action, State
from publisher.domain.remedies import Fix, Remedy
from publisher.i18n import N_, _, ngettext
from publisher.platforms.base import (
    NOT_FOUND,
    REQUEST_DEADLINE,
    AuthFailed,
    LinkCard,
    MediaFile,
    PlatformError,
    Post,
    Published,
    RateLimited,
    Rejected,
    Transient,
    Unsupported,
)
from publisher.platforms.common.progress import Progress
from publisher.platforms.registry import Adapters, UnsupportedPlatform
from publisher.services.context import Context
from publisher.services.media import media_file
from publisher.services.notifications import notify_after_flush
from publisher.services.queue_file import (
    catch_up_with_journal,
    record_deleted,
    record_published,
)
from publisher.services.queueing import (
    STOPS_LATER_PARTS,
    content_hash,
    not_sent_before,
    open_queue,
    plan_posts,
    stop_later_parts,
    stopped_as,
)
from publisher.services.tokens import TokenNotice, token_notices
from publisher.storage.lock import FileLock, Holder, Locked
from publisher.storage.queue import (
    FREEZE,
    AccountHold,
    FlushRun,
    Item,
    Queue,
    QueuedPost,
    StaleState,
)

if TYPE_CHECKING:
    from publisher.platforms.common import http

log = logging.getLogger("publisher.flush")

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
RATE_LIMIT_DEFAULT = timedelta(minutes=15)
ACTOR = CRON  # the history's actor of a flush run (publish-now passes the person's login)
# What a done step's history says.
_STEP_DONE = {Action.DELETE: N_("deleted"), Action.EDIT: N_("edited")}


@dataclass(frozen=True)
class Deadlines:
    """How long one flush may take, in seconds of real time (whatever its clock says).

    It claims no item after ``run`` seconds; a request ends within ``request``
    seconds and never runs past ``run + request``. Both together stay well
    under the LEASE, so that a lease that runs out means its flush is dead or
    stuck, never slow. Four minutes: a backlog goes on with the next cron run
    a minute later; one request at most a minute (``REQUEST_DEADLINE``).
    """

    run: float = 240.0
    request: float = REQUEST_DEADLINE

    def __post_init__(self) -> None:
        if self.run < 0 or self.request <= 0 or self.run + self.request >= LEASE.total_seconds():
            raise ValueError(f"deadlines {self.run} + {self.request} s do not fit the lease")


# The longest --time-limit: it and a last request must end before the lease does.
MAX_RUN_SECONDS = int(LEASE.total_seconds() - 2 * REQUEST_DEADLINE)


@dataclass
class Outcome:
    item: Item
    state: State
    detail: str = ""
    url: str | None = None
    # Left in its state, but a person must act (its draft file is broken).
    waiting: bool = False
    remedy: Remedy | None = None  # what a person does about it (front ends say it)

    @property
    def needs_person(self) -> bool:
        return (self.state in (State.FAILED, State.UNKNOWN) or self.waiting
                or (self.state == State.HELD and self.detail.startswith("auth")))


@dataclass
class FlushReport:
    # Each item's latest outcome, in the order they came (a recovered item may be
    # sent later in the run: its outcome then moves to the end).
    latest: dict[int, Outcome] = field(default_factory=dict)
    # Tokens about to expire, for accounts with posts waiting (all of them),
    # and those not yet said today (what a cron run prints).
    token_warnings: list[TokenNotice] = field(default_factory=list)
    new_token_warnings: list[TokenNotice] = field(default_factory=list)
    # Due items not claimed because the run's deadline passed (the next run sends them).
    left_for_next_run: list[Item] = field(default_factory=list)

    @property
    def outcomes(self) -> list[Outcome]:
        return list(self.latest.values())

    def add(self, item: Item, state: State, detail: str = "", url: str | None = None,
            waiting: bool = False, remedy: Remedy | None = None) -> Outcome:
        """Record an item's latest outcome."""
        self.latest.pop(item.id, None)
        outcome = self.latest[item.id] = Outcome(item, state, detail, url, waiting, remedy)
        return outcome

    def of(self, *states: State) -> list[Outcome]:
        return [outcome for outcome in self.latest.values() if outcome.state in states]

    @property
    def needs_person(self) -> list[Outcome]:
        return [outcome for outcome in self.latest.values() if outcome.needs_person]

    def counts(self) -> dict[str, int]:
        """How many items the run left in each state (the states it left none in absent)."""
        counts: dict[str, int] = {}
        for outcome in self.latest.values():
            counts[str(outcome.state)] = counts.get(str(outcome.state), 0) + 1
        return counts

    @property
    def exit_code(self) -> int:
        if self.needs_person:
            return 4
        if self.of(State.RETRY) or self.left_for_next_run:
            return 3
        return 0


@dataclass(frozen=True)
class DraftChange:
    """Why a queued item's draft stops it: refused (failed), or wait for a fix."""

    reason: str
    wait: bool = False
    remedy: Remedy | None = None  # an account's setting to give, say


def lock_path(context: Context) -> Path:
    return context.workspace.lock_path


def new_claim_token() -> str:
    """A claim token naming its holder (host/pid/random), so that another flush can
    tell a claim in flight from one a dead flush left."""
    holder = Holder.this_process()
    return f"{holder.host}/{holder.pid}/{uuid.uuid4().hex}"


def claim_holder(token: str | None) -> Holder | None:
    """The holder a claim token names (None for a token of an older version)."""
    host, _sep, rest = (token or "").partition("/")
    pid = rest.partition("/")[0]
    return Holder(int(pid), host) if host and pid.isdigit() else None


def held_too_long(locked: Locked, now: datetime) -> bool:
    """Whether the flush holding the lock has run for longer than a lease.

    A live flush ends within its deadlines, well inside the lease: one that
    holds the lock longer hangs or was stopped, and a person should look.
    """
    since = locked.holder.since if locked.holder else None
    return since is not None and now - since > LEASE


def resolve_unknown(item: Item) -> Remedy:
    """Whether an item went out is unknown: a person checks, then says (resolve)."""
    return Remedy(Fix.RESOLVE_UNKNOWN, item=item.id)


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """Exponential backoff with ±20 % jitter, capped (so retries never march in step)."""
    delay = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))
    return delay * rng.uniform(0.8, 1.2)


class Flusher:
    def __init__(
        self,
        context: Context,
        queue: Queue,
        adapters: Adapters,
        clock: Callable[[], datetime],
        rng: random.Random,
        *,
        claim_until: float | None = None,
        actor: str = ACTOR,
    ):
        self.context = context
        self.actor = actor
        self.queue = queue
        self.adapters = adapters
        self.clock = clock
        self.rng = rng
        self.report = FlushReport()
        self.holds: dict[str, AccountHold] = {}
        self.held_accounts: set[str] = set()
        self.draft_changes: dict[str, DraftChange | None] = {}
        self.pending_by_draft: dict[str, list[QueuedPost]] | None = None
        # A time.monotonic() moment after which no item is claimed.
        self.claim_until = claim_until
        # Later parts stopped in this run because the part before them was not sent.
        self.stopped_parts: set[int] = set()

    # Steps

    def require_secrets(self) -> None:
        """Stop before anything moves when the keyring that waiting posts need does not open.

        No password, a wrong one or an unreadable file is the server's setup, not
        the account's login: holding the account would send a person to log in
        again. The posts stay as they are; the one line names the fix (exit 2).
        """
        require_open = getattr(self.adapters.secrets, "require_open", None)
        if require_open is None:
            return  # a store that is always open (tests' in-memory ones)
        waiting = self.queue.account_ids([*PENDING, State.SENDING, State.HELD])
        accounts = self.context.accounts
        if any(accounts[a].needs_secret for a in waiting if a in accounts):
            require_open()

    def recover(self) -> None:
        """Decide the fate of items a dead flush left in ``sending``.

        An item under a live lease is another flush's, still in flight (its
        lock file was deleted, say): it is left alone, never taken for crashed.
        """
        holds = self.queue.holds()
        for item in self.queue.items([State.SENDING], steps=True):
            if self._in_flight_elsewhere(item):
                log.info("item %s: in flight in another flush (lease until %s); left to it",
                         item.id, item.lease_until)
                continue
            try:
                self._recover(item, holds)
            except StaleState:
                self._moved_elsewhere(item)

    def _in_flight_elsewhere(self, item: Item) -> bool:
        """Whether another flush may still be sending the item: its lease has not run
        out and its holder is not known to be gone. A claim made by this process is
        over (this process holds the lock now); one from an older version has no
        known holder, and only its lease tells."""
        if item.lease_until is None or item.lease_until <= self.clock():
            return False
        holder = claim_holder(item.claim_token)
        if holder is None:
            return True
        if holder == Holder.this_process():
            return False
        return not holder.is_gone()

    def _moved_elsewhere(self, item: Item) -> None:
        # Another process (a flush that took over an expired lease, a person) moved
        # the item while this flush worked on it: its state is theirs to tell.
        log.warning(_("item {id}: another process moved it meanwhile; this flush leaves it "
                      "as that process left it (the queue shows it)").format(id=item.id))

    def _recover(self, item: Item, holds: dict[str, AccountHold]) -> None:
        account = self.context.accounts.get(item.account_id)
        if account is None:
            self._move(item, State.UNKNOWN, _("crashed while sending; account removed"))
            return
        hold = holds.get(item.account_id)
        if hold is not None and hold.kind == "auth":
            return  # checked once a person has fixed the login and resumed
        if item.is_step:  # deleting or editing twice does no harm: do it again
            self._move(item, State.RETRY, _("interrupted; doing it again is safe"),
                       next_attempt_at=self.clock())
            return
        try:
            adapter = self.adapters.for_account(account)
            found = adapter.find(item.idempotency_key, self._post(item))
            now = self.clock()
            if isinstance(found, Published):
                self._sent(item, found, _("found on the platform after a crash"))
            elif found is NOT_FOUND or adapter.resend_is_safe(_claimed_at(item), now):
                self._move(item, State.RETRY, _("interrupted; sending again with the same "
                                                "idempotency key"), next_attempt_at=now)
            else:
                self._move(item, State.UNKNOWN, _(
                    "interrupted while sending and the platform cannot tell whether it "
                    "went out: check the account"), remedy=resolve_unknown(item))
        except AuthFailed as error:
            # It cannot be checked until a person logs in again: hold the
            # account (its other posts wait too) and leave the item as it is.
            self._hold(AccountHold(item.account_id, "auth", None, error.message))
            self.held_accounts.add(item.account_id)
            self.report.add(item, item.state, _(
                "interrupted while sending; it can be checked once the account's login "
                "works again: {error}").format(error=error.message), waiting=True,
                remedy=Remedy(Fix.LOG_IN_AND_RESUME, account=item.account_id))
        except (PlatformError, UnsupportedPlatform) as error:
            log.warning("item %s: could not check after a crash: %s", item.id, error)

    def hold_paused(self) -> None:
        pauses = self.queue.pauses()
        if not pauses:
            return
        for item in self.queue.items(PENDING):
            if item.target is not None:  # a retraction or correction goes on (README)
                continue
            # An item let through the freeze (crisis use --through-freeze) is held only
            # by its account's own pause.
            frozen = FREEZE in pauses and not item.through_freeze
            scope = FREEZE if frozen else item.account_id
            if scope in pauses:
                held_by = "freeze" if scope == FREEZE else "pause"
                self._move(item, State.HELD, _("paused: {reason}").format(
                    reason=pauses[scope].reason or "-"), held_by=held_by)

    def expire_overdue(self) -> None:
        now = self.clock()
        for item in self.queue.overdue(PENDING, now):
            if item.id in self.stopped_parts:  # expired with the part before it
                continue
            late = now - item.due_at
            if item.deadline and now > item.deadline:
                self._move(item, State.EXPIRED, _("past its deadline; not sent"))
            elif late > timedelta(seconds=item.max_lateness_s):
                self._move(item, State.EXPIRED, _(
                    "{hours:.1f} h overdue, past the account's maximum lateness; not sent"
                ).format(hours=late.total_seconds() / 3600))

    def send_due(self, only: set[int] | None = None) -> None:
        self.holds = self.queue.holds()  # refreshed whenever a send sets a hold
        for item in self.queue.due(self.clock()):
            if only is not None and item.id not in only:
                continue
            hold = self.holds.get(item.account_id)
            if hold and (hold.until is None or hold.until > self.clock()):
                continue
            if item.state == State.HELD or self._moved_meanwhile(item) \
                    or item.id in self.stopped_parts:
                continue
            if self._waits_for_part_before(item):
                continue
            if self._out_of_time():
                self.report.left_for_next_run.append(item)
                continue
            # A deletion sends no text: its draft may have changed, or be gone.
            change = None if item.action == Action.DELETE else self._draft_change(
                item.draft_id)
            if change and change.wait:
                self.report.add(item, item.state, change.reason, waiting=True,
                                remedy=change.remedy)
            elif change:
                self._move(item, State.FAILED, change.reason, last_error=change.reason,
                           remedy=change.remedy)
            else:
                self._send_unless_moved(item)

    def _waits_for_part_before(self, item: Item) -> bool:
        """A later part of a chain goes out only after the part it follows was sent;
        when that one never will be (failed, expired, cancelled), neither will this one:
        never an orphan reply."""
        if item.after is None:
            return False
        before = self.queue.get(item.after)
        if before is None or before.state in PENDING | {State.SENDING, State.UNKNOWN,
                                                        State.HELD}:
            return True  # it waits (for a retry, for a person, for the resume)
        if before.state == State.SENT:
            return False
        if item.target is not None:  # a step, or a repost waiting for a deletion
            why = _("not done: item {id}, which goes first, is {state}").format(
                id=before.id, state=_(before.state.value))
        else:
            why = not_sent_before(before.id, before.state)
        stopped = stopped_as(before.state)
        if stopped == State.FAILED:
            self._move(item, stopped, why, last_error=why)
        else:
            self._move(item, stopped, why)
        return True

    def _send_unless_moved(self, item: Item) -> None:
        try:
            self.send(item)
        except StaleState:
            self._moved_elsewhere(item)

    def _out_of_time(self) -> bool:
        return self.claim_until is not None and time.monotonic() >= self.claim_until

    def _moved_meanwhile(self, item: Item) -> bool:
        # An auth failure earlier in this run may have held this account's items.
        return item.account_id in self.held_accounts

    def _draft_change(self, draft_id: str) -> DraftChange | None:
        """Why a draft's queued items may no longer go out, or None (cached per run).

        Every pending item of the draft is compared, so that an edit to the
        Albanian source stops the English and Serbian posts too.
        """
        if draft_id not in self.draft_changes:
            self.draft_changes[draft_id] = self._find_draft_change(draft_id)
        return self.draft_changes[draft_id]

    def _find_draft_change(self, draft_id: str) -> DraftChange | None:
        fix = _("approve it again, cancel this item and schedule the draft again")
        drafts = self.context.drafts
        if not drafts.path_of(draft_id).is_file():
            return DraftChange(_("the draft file is gone; not sent"))
        try:
            draft = drafts.load(draft_id).draft
        except UserError as error:
            # Most likely a person is mid-edit: wait (until the item's lateness runs out).
            return DraftChange(_("not sent while its draft file is broken: {error}").format(
                error=str(error)), wait=True, remedy=error.remedy)
        try:
            plans = plan_posts(self.context, draft, allow_stale=True, adapters=self.adapters,
                               queue=self.queue)
        except UserError as error:
            if error.remedy and error.remedy.fix == Fix.SET_ACCOUNT:
                # The account's settings, not the draft: set them, then retry the item.
                return DraftChange(_("the draft cannot go out as queued: {error}").format(
                    error=error.message), remedy=error.remedy)
            return DraftChange(_("the draft cannot go out as queued: {error}; {fix}").format(
                error=error.message, fix=fix))
        current = {(p.account.id, p.locales): content_hash(p) for p in plans}
        if self.pending_by_draft is None:  # one query per run, not one per draft
            self.pending_by_draft = {}
            for post in self.queue.posts(PENDING):
                self.pending_by_draft.setdefault(post.draft_id, []).append(post)
        for post in self.pending_by_draft.get(draft_id, []):
            if current.get((post.account_id, post.locales)) != post.content_hash:
                return DraftChange(_("the draft was edited after it was queued; {fix}").format(
                    fix=fix))
        return None

    # One item

    def send(self, item: Item) -> None:
        account = self.context.accounts.get(item.account_id)
        now = self.clock()
        claimed: dict[str, Any] = dict(
            claim_token=new_claim_token(), claimed_at=now, lease_until=now + LEASE,
            attempts=item.attempts + 1,
        )
        # At the time read: an item a person moved meanwhile waits for its new time.
        self.queue.move(item.id, item.state, State.SENDING, now=now, actor=self.actor,
                        reason=_("sending"), expected_due=item.due_at, **claimed)
        item = replace(item, state=State.SENDING, **claimed)
        try:
            if account is None:
                raise Rejected(_("account {id!r} no longer exists").format(id=item.account_id))
            adapter = self.adapters.for_account(account)
            if item.is_step:
                published = self._do_step(adapter, item)
            else:
                published = adapter.publish(self._post(item), item.idempotency_key)
        except RateLimited as error:
            self._rate_limited(item, error)
        except Transient as error:
            self._transient(item, error,
                            adapter_safe=item.is_step or self._resend_safe(item))
        except AuthFailed as error:
            self._auth_failed(item, error)
        except Rejected as error:
            self._move(item, State.FAILED, error.message, last_error=error.message,
                       remedy=error.remedy)
        except Unsupported as error:
            why = _("{error}; do it by hand at {url}").format(
                error=error.message, url=item.url or "-")
            self._move(item, State.FAILED, why, last_error=why)
        except UnsupportedPlatform as error:
            self._move(item, State.FAILED, str(error), last_error=str(error))
        else:
            self._sent(item, published,
                       _(_STEP_DONE[item.action]) if item.is_step else _("published"))

    def _do_step(self, adapter: Any, item: Item) -> Published:
        """Delete or edit the sent post the step targets; where it is afterwards."""
        target = self.queue.get(item.target) if item.target is not None else None
        if target is None or target.state != State.SENT or not target.remote_id:
            raise Rejected(_("the post it acts on was not sent"))
        where = Published(target.remote_id, target.url, target.ref)
        if item.action == Action.DELETE:
            adapter.delete(where, self._target_post(target, item))
            return where
        post = replace(self._post(target), text=item.text, item_id=item.id,
                       content_warning=item.content_warning or "")
        return adapter.edit(where, post)

    def _target_post(self, target: Item, step: Item) -> Post:
        """What was sent, for a deletion: its images may be gone from the workspace."""
        try:
            return replace(self._post(target), item_id=step.id)
        except Rejected:
            return Post(self.context.accounts[target.account_id], target.text,
                        target.locales, (), target.draft_id, step.id, kind=target.part_kind)

    # Tokens

    def warn_tokens(self) -> None:
        waiting = self.queue.account_ids([*PENDING, State.HELD])
        today = self.clock().date().isoformat()
        for notice in token_notices(self.context, self.clock, self.adapters, waiting):
            self.report.token_warnings.append(notice)
            said = self.queue.checkpoints()
            key = f"notice:token:{notice.account_id}:{today}"
            if said.get(key) is None:
                said.set(key, "warned")
                self.report.new_token_warnings.append(notice)

    def _resend_safe(self, item: Item) -> bool:
        account = self.context.accounts[item.account_id]
        return self.adapters.for_account(account).resend_is_safe(_claimed_at(item),
                                                                   self.clock())

    def _rate_limited(self, item: Item, error: RateLimited) -> None:
        until = error.retry_after or self.clock() + RATE_LIMIT_DEFAULT
        self._hold(AccountHold(item.account_id, "rate-limited", until, error.message))
        self._move(item, State.RETRY, _("rate limited until {until}: {error}").format(
            until=until.isoformat(), error=error.message),
            next_attempt_at=until, last_error=error.message)

    def _transient(self, item: Item, error: Transient, adapter_safe: bool) -> None:
        if error.maybe_sent and not adapter_safe:
            self._move(item, State.UNKNOWN, _(
                "{error}; the post may have gone out and the platform cannot tell: check the "
                "account").format(error=error.message),
                last_error=error.message, remedy=resolve_unknown(item))
        elif item.attempts >= MAX_ATTEMPTS:
            self._move(item, State.FAILED, ngettext(
                "gave up after {n} attempt: {error}", "gave up after {n} attempts: {error}",
                item.attempts).format(
                n=item.attempts, error=error.message), last_error=error.message)
        else:
            delay = backoff(item.attempts, self.rng)
            self._move(item, State.RETRY, _("{error}; retrying in {minutes:.0f} min").format(
                error=error.message, minutes=delay.total_seconds() / 60),
                next_attempt_at=self.clock() + delay, last_error=error.message)

    def _auth_failed(self, item: Item, error: AuthFailed) -> None:
        # The platform's remedy (log in) is part of this one: log in, then resume.
        self._hold(AccountHold(item.account_id, "auth", None, error.message))
        self.held_accounts.add(item.account_id)
        self._move(item, State.HELD, f"auth: {error.message}", held_by="auth",
                   last_error=error.message,
                   remedy=Remedy(Fix.LOG_IN_AND_RESUME, account=item.account_id))
        for other in self.queue.items(PENDING, account_id=item.account_id, steps=True):
            self._move(other, State.HELD, _("account held after an auth failure"),
                       held_by="auth")

    def _hold(self, hold: AccountHold) -> None:
        self.queue.set_hold(hold)
        self.holds[hold.account_id] = hold

    def _sent(self, item: Item, published: Published, why: str) -> None:
        if item.is_step:  # nothing new went out; a deletion goes in the journal first
            target = self.queue.get(item.target) if item.action == Action.DELETE \
                and item.target is not None else None
            if target is not None:
                record_deleted(self.context, item, target, self.clock())
            self._move(item, State.SENT, why, remote_id=published.remote_id,
                       url=published.url, ref=published.ref, last_error=None)
            return
        # The journal first: see record_published for why this order never reposts.
        # The journal line is synced to disk before it returns, so the queue's record
        # need not sync by itself: the next claim's commit (before its request) or the
        # queue's closing at the end of the run syncs it. A power cut before then may
        # undo that record alone, never the journal's, and the next flush marks the item
        # sent from the journal: one sync per sent item fewer, no guarantee less.
        record_published(self.context, item, published, self.clock())
        outcome = self._move(item, State.SENT, why, remote_id=published.remote_id,
                             url=published.url, ref=published.ref, last_error=None,
                             durable=False)
        outcome.url = published.url

    def _move(self, item: Item, target: State, why: str, *, durable: bool = True,
              remedy: Remedy | None = None, **fields: Any) -> Outcome:
        """Move the item and record why (the history keeps the words, never a command:
        ``remedy`` goes to the report, and beside ``last_error`` when one is written)."""
        if "last_error" in fields:
            fields["remedy"] = remedy
        self.queue.move(item.id, item.state, target, now=self.clock(), actor=self.actor,
                        reason=why, durable=durable, **fields)
        outcome = self.report.add(item, target, why, remedy=remedy)
        log.info("item %s (%s, %s): %s -> %s: %s", item.id, item.draft_id, item.account_id,
                 item.state, target, why)
        if target in STOPS_LATER_PARTS:  # a post alone may have a first comment after it
            for later in stop_later_parts(self.queue, item, target, self.clock(),
                                          self.actor):
                self.stopped_parts.add(later.id)
                self.report.add(later, later.state, not_sent_before(item.id, target))
        return outcome

    def _post(self, item: Item) -> Post:
        account = self.context.accounts[item.account_id]
        try:  # again at send time: the media folder may have changed since scheduling
            media = tuple(media_file(self.context.workspace, m) for m in item.media)
        except UserError as error:
            raise Rejected(error.message) from None
        return Post(account, item.text, item.locales, media, item.draft_id, item.id,
                    due_at=item.due_at, kind=item.part_kind, reply_to=self._reply_to(item),
                    root=self._sent_as(item.chain_of), options=item.options,
                    content_warning=item.content_warning or "", card=self._card(item),
                    link_previews=item.link_previews)

    def _reply_to(self, item: Item) -> Published | None:
        """The part a later part answers: a thread part the one before it, a first
        comment the chain's first post."""
        if item.chain_of is None:  # a first part (a repost waits for a deletion, no reply)
            return None
        if item.part_kind == PartKind.COMMENT:
            return self._sent_as(item.chain_of)
        return self._sent_as(item.after)

    def _sent_as(self, item_id: int | None) -> Published | None:
        if item_id is None:
            return None
        sent = self.queue.get(item_id)
        if sent is None or sent.state != State.SENT or not sent.remote_id:
            # Never post a reply to nothing: the flush checks this before it claims.
            raise Rejected(_("the post it replies to was not sent"))
        return Published(sent.remote_id, sent.url, sent.ref)

    def _card(self, item: Item) -> LinkCard | None:
        """The item's link card; its image only while the workspace still has it."""
        card = item.card
        if card is None or item.chain_of is not None:  # replies and comments show none
            return None
        thumb = None
        if card.image:
            try:
                thumb = MediaFile(self.context.workspace.media_file(card.image), card.title,
                                  card.image_sha256)
            except UserError as error:
                log.warning("item %s: the link card goes without its image: %s", item.id,
                            error.message)
        return LinkCard(card.url, card.title, card.description, thumb)


def flush(
    context: Context,
    *,
    clock: Callable[[], datetime],
    adapters: Adapters | None = None,
    rng: random.Random | None = None,
    only: set[int] | None = None,
    deadlines: Deadlines | None = None,
    actor: str = ACTOR,
    progress: Progress | None = None,
) -> FlushReport:
    """Run one flush. Raises :class:`publisher.storage.lock.Locked` if one is running.

    ``actor``: who the history names for its moves (``cron``; a person's login name
    when they send an item now). ``progress``: told how far each video upload got
    (else the log says it)."""
    from publisher.services.adapters import adapters_for

    deadlines = deadlines or Deadlines()
    started = time.monotonic()
    ends_at = started + deadlines.run + deadlines.request
    if adapters is None:
        adapters = adapters_for(
            context, clock, make_session=lambda: _run_session(deadlines.request, ends_at))
        given = None
    else:
        given = _bind_to_run(adapters, ends_at)
    try:
        with FileLock(lock_path(context), since=clock()), \
                open_queue(context, flush_lock_held=True) as queue:
            adapters.checkpoints = queue.checkpoints()
            adapters.check_reachability = False
            if progress is not None:
                adapters.progress = progress
            flusher = Flusher(context, queue, adapters, clock, rng or random.Random(),
                              claim_until=started + deadlines.run, actor=actor)
            flusher.require_secrets()
            flusher.recover()
            flusher.hold_paused()
            flusher.expire_overdue()
            flusher.send_due(only)
            flusher.warn_tokens()
            catch_up_with_journal(context, queue)
            if only is None:  # a whole run (publish-now sends one item: not the cron's run)
                queue.note_flush(FlushRun(clock(), flusher.report.counts()))
                # Last, after every post: it never raises nor changes the report.
                notify_after_flush(context, queue, clock)
            return flusher.report
    finally:
        if given is not None:
            given.ends_at = None


def _run_session(request_deadline: float, ends_at: float) -> http.Session:
    """The run's HTTP session, made when an adapter first needs one (an empty flush
    loads no HTTP stack): its requests end by their deadline and by the run's."""
    from publisher.platforms.common import http

    session = http.make_session(request_deadline)
    session.ends_at = ends_at
    return session


def _bind_to_run(adapters: Adapters, ends_at: float) -> http.Session | None:
    """A session passed in (tests, benchmarks) ends its requests with the run too."""
    from publisher.platforms.common import http

    session = adapters.session
    if not isinstance(session, http.Session):
        return None
    session.ends_at = ends_at
    return session


def _claimed_at(item: Item) -> datetime:
    """When a sending item was claimed (a claim always stamps it; an item from an
    older queue without the stamp counts from its last change)."""
    return item.claimed_at or item.updated_at
