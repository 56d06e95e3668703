"""Telling people what waits for them, from the flush run.

After it has published, each whole flush run (under its lock, so one sender at a time):

1. settles deliveries a crashed run left half-done (maybe sent: never again);
2. finds the current events (:func:`current_events`) and records one delivery per
   event, channel and recipient that is not recorded yet (the table's unique key);
3. sends the due deliveries within a short budget (:data:`BUDGET_SECONDS`): each is
   claimed (committed) before it leaves and settled after: sent, tried again later
   with a bounded backoff, or given up after :data:`MAX_ATTEMPTS` or a final refusal.

Nothing here may change the flush: every failure is caught, recorded and logged, and
the flush's exit code and posts are the same with or without notifications.
Texts are written when an event is recorded, in the workspace's interface language.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from publisher.domain.drafts import Draft, TranslationState
from publisher.domain.errors import UserError
from publisher.domain.notifications import (
    EMAIL,
    MAX_ATTEMPTS,
    WEBHOOK,
    Event,
    SendFailed,
    approval_event,
    auth_hold_event,
    item_event,
    language_event,
    retry_delay,
    sample_texts,
    short_fingerprint,
    staff,
)
from publisher.domain.queue import State
from publisher.i18n import _, current_language, set_language
from publisher.services.context import Context
from publisher.storage.notifications import (
    FAILED,
    PENDING,
    SENT,
    Delivery,
    NewDelivery,
    NotificationLog,
    published_drafts,
)
from publisher.storage.queue import Queue, utc_text

log = logging.getLogger("publisher.notify")

# How long one flush run may spend on notifications, in seconds of real time: the
# posts have gone out by then, and the lock is held meanwhile.
BUDGET_SECONDS = 10.0
# The keyring's user names of the channels' secrets (account ids have no colon).
SECRET_NAMES = {EMAIL: ":notify:email", WEBHOOK: ":notify:webhook"}
Clock = Callable[[], datetime]


# The events


def awaiting_step(context: Context, draft: Draft, queue: Queue | None = None) -> str | None:
    """The approval step ``draft`` waits for next, or None (cleared, a holding
    statement, or no ``[approval]`` steps: then anyone approves and nobody is told).
    Read from the approval records; every approval event is decided here."""
    from publisher.services import approvals

    if not context.settings.people.steps or draft.template:
        return None
    return approvals.awaiting_step(context, draft, queue)


def current_events(context: Context, queue: Queue, now: datetime) -> list[Event]:
    """What people should hear of now: drafts that need a language or an approval
    (not those already published or past their deadline), and items that need a person."""
    from publisher.services.drafts import locales_of

    people = context.settings.people
    events: list[Event] = []
    published = published_drafts(queue)
    loaded, _errors = context.drafts.load_all()  # a broken file is the flush's to report
    for item in loaded:
        draft = item.draft
        if draft.id in published or (draft.deadline is not None and draft.deadline < now):
            continue
        for locale in locales_of(context, draft):
            translators = people.translators.get(locale, ())
            state = draft.state(locale)
            if locale != draft.source and translators and state in (
                    TranslationState.MISSING, TranslationState.STALE):
                events.append(language_event(draft.id, draft.title, locale,
                                             state == TranslationState.STALE,
                                             draft.source_fingerprint, translators))
        step = awaiting_step(context, draft, queue)
        if step is not None:
            events.append(approval_event(draft.id, draft.title, step, _texts_of(draft),
                                         people.approvers.get(step, ())))
    events.extend(_item_events(context, queue))
    return events


def _texts_of(draft: Draft) -> str:
    """The fingerprint of what an approver clears: every text and image of the draft."""
    parts = [f"{tag}={variant.fingerprint}" for tag, variant in sorted(draft.variants.items())]
    parts += [f"{media.file}:{sorted(media.alt.items())}" for media in draft.media]
    # Subtitles by file and the source cues they translate (only where a video has them).
    parts += [f"{media.file}:{sorted(media.subtitles.items())}"
              f":{sorted(media.subtitles_from.items())}"
              for media in draft.media if media.subtitles]
    return short_fingerprint(*parts)


def _item_events(context: Context, queue: Queue) -> list[Event]:
    told = staff(context.settings.people)
    events = [
        item_event(item.id, item.draft_id, item.account_id, str(item.state),
                   item.last_error or "", f"{item.state}|{item.attempts}|{item.updated_at}",
                   told)
        for item in queue.items([State.FAILED, State.UNKNOWN], steps=True)
    ]
    for hold in queue.holds().values():
        if hold.kind == "auth":
            held = queue.items([State.HELD], account_id=hold.account_id, steps=True)
            since = min((item.updated_at for item in held), default=None)
            events.append(auth_hold_event(hold.account_id, hold.reason,
                                          f"{hold.reason}|{since}", told))
    return events


def deliveries_of(context: Context, event: Event, now: datetime) -> list[NewDelivery]:
    """One delivery per channel and recipient: an e-mail to each person with an address,
    one webhook POST naming them all."""
    notify = context.settings.notify
    payload = {"event": str(event.kind), "subject": event.subject, "text": event.text,
               "draft": event.draft, "item": event.item, "people": list(event.people),
               "at": utc_text(now)}
    found = []
    if notify.email is not None:
        found += [NewDelivery(event.key, EMAIL, login, event.kind, payload)
                  for login in event.people if login in notify.email.to]
    if notify.webhook is not None:
        found.append(NewDelivery(event.key, WEBHOOK, "", event.kind, payload))
    return found


# The flush's part


@dataclass
class NotifyReport:
    recorded: int = 0
    sent: int = 0
    retrying: int = 0
    given_up: int = 0
    left: int = 0  # due, not tried: out of time


def notify_after_flush(context: Context, queue: Queue, clock: Clock, *,
                       budget: float = BUDGET_SECONDS) -> NotifyReport | None:
    """The flush's last step. Never raises: a failure is logged and left for the next
    run. None when ``[notify]`` sets no channel."""
    if not context.settings.notify.channels:
        return None
    try:
        return _notify(context, queue, clock, time.monotonic() + budget)
    except Exception as error:  # nothing of this may change what the flush did or says
        log.warning(_("notifications: {error}").format(error=_safe(error)))
        log.debug("notifications failed", exc_info=True)
        return None


def _notify(context: Context, queue: Queue, clock: Clock, ends_at: float) -> NotifyReport:
    notes = NotificationLog(queue)
    report = NotifyReport()
    now = clock()
    for interrupted in notes.settle_interrupted(
            now, _("interrupted while sending; maybe sent, so not sent again")):
        log.info("notification %s (%s) was interrupted while sending; not sent again",
                 interrupted.id, interrupted.channel)
    with in_language(context.settings.ui_locale):
        events = current_events(context, queue, now)
        report.recorded = notes.record(
            (delivery for event in events for delivery in deliveries_of(context, event, now)),
            now)
    due = notes.due(now)
    if due:
        with Senders(context, clock) as senders:
            for index, delivery in enumerate(due):
                seconds = ends_at - time.monotonic()
                if seconds <= 0:
                    report.left = len(due) - index
                    break
                _deliver(notes, senders, delivery, clock, seconds, report)
    return report


def _deliver(notes: NotificationLog, senders: Senders, delivery: Delivery, clock: Clock,
             seconds: float, report: NotifyReport) -> None:
    if not notes.claim(delivery, clock()):
        return
    attempts = delivery.attempts + 1
    try:
        senders.send(delivery, seconds)
    except SendFailed as failure:
        now = clock()
        if failure.permanent or attempts >= MAX_ATTEMPTS:
            notes.settle(delivery, FAILED, now, error=failure.message)
            report.given_up += 1
            # Said with -v only: the flush stays quiet (cron mails what it prints), and
            # the row keeps the error.
            log.info("notification %s (%s) given up after %s attempt(s): %s", delivery.id,
                     delivery.channel, attempts, failure.message)
        else:
            notes.settle(delivery, PENDING, now, error=failure.message,
                         next_attempt_at=now + retry_delay(attempts))
            report.retrying += 1
            log.info("notification %s (%s): %s; tried again later", delivery.id,
                     delivery.channel, failure.message)
    else:
        notes.settle(delivery, SENT, clock())
        report.sent += 1


class Senders:
    """The channels' senders and secrets, read once per run, when something is due."""

    def __init__(self, context: Context, clock: Clock):
        self.context = context
        self.clock = clock
        self._secrets: dict[str, str | None] = {}

    def __enter__(self) -> Senders:
        return self

    def __exit__(self, *exc: object) -> None:
        self._secrets.clear()

    def secret(self, channel: str) -> str | None:
        if channel not in self._secrets:
            from publisher.services.secrets import KeyringUnavailable, get_secret

            try:
                self._secrets[channel] = get_secret(SECRET_NAMES[channel])
            except KeyringUnavailable as error:
                raise SendFailed(_("the keyring cannot be read: {error}").format(
                    error=error.message)) from None
        return self._secrets[channel]

    def send(self, delivery: Delivery, seconds: float) -> None:
        notify = self.context.settings.notify
        payload = delivery.payload
        if delivery.channel == EMAIL:
            from publisher.notify.smtp import send_email

            channel = notify.email
            address = channel.to.get(delivery.recipient) if channel else None
            if channel is None or address is None:
                raise SendFailed(_("no e-mail address for {login} in [notify]").format(
                    login=delivery.recipient), permanent=True)
            password = self.secret(EMAIL) if channel.user else None
            send_email(channel, password, address, payload["subject"], payload["text"],
                       message_id=_message_id(delivery, channel.sender),
                       now=self.clock(), seconds=seconds)
        elif delivery.channel == WEBHOOK:
            from publisher.notify.webhook import post_webhook

            if notify.webhook is None:
                raise SendFailed(_("no webhook in [notify]"), permanent=True)
            body = {key: payload[key] for key in ("event", "text", "draft", "item",
                                                  "people", "at")}
            post_webhook(notify.webhook.url, self.secret(WEBHOOK), body, seconds=seconds)
        else:
            raise SendFailed(f"unknown channel {delivery.channel!r}", permanent=True)


def _message_id(delivery: Delivery, sender: str) -> str:
    domain = sender.rpartition("@")[2]
    return f"<{short_fingerprint(delivery.event_key, delivery.recipient)}@{domain}>"


def _safe(error: Exception) -> str:
    return error.message if isinstance(error, UserError) else type(error).__name__


@contextlib.contextmanager
def in_language(language: str) -> Iterator[None]:
    """Texts for people in the workspace's language, whatever --lang the run was given."""
    before = current_language()
    set_language(language)
    try:
        yield
    finally:
        set_language(before)


# notify test and set-secret


@dataclass(frozen=True)
class TrialResult:
    channel: str
    recipient: str  # a login for e-mail, "" for the webhook
    error: str | None


def send_samples(context: Context, clock: Clock) -> list[TrialResult]:
    """A test message to each channel: every address of ``email.to``, and the webhook."""
    notify = context.settings.notify
    if not notify.channels:
        raise UserError(_("no notification channel is set"),
                        where=context.workspace.relative(context.workspace.settings_path),
                        hint=_("add a [notify] table with email or webhook settings, see the "
                               "README's 'Notifications'"))
    with in_language(context.settings.ui_locale):
        subject, text = sample_texts(str(context.workspace.home))
    now = clock()
    payload: dict[str, Any] = {"event": "test", "subject": subject, "text": text, "draft": None,
               "item": None, "people": [], "at": utc_text(now)}
    deliveries = []
    if notify.email is not None:
        if not notify.email.to:
            raise UserError(_("notify.email.to names nobody"),
                            where=context.workspace.relative(context.workspace.settings_path),
                            hint=_('e.g. email.to.arta = "arta@embassy.example"'))
        deliveries += [(EMAIL, login) for login in notify.email.to]
    if notify.webhook is not None:
        deliveries.append((WEBHOOK, ""))
    results = []
    with Senders(context, clock) as senders:
        for number, (channel, recipient) in enumerate(deliveries):
            delivery = Delivery(-number, f"test:{utc_text(now)}", channel, recipient, "test",
                                {**payload, "people": [recipient] if recipient else []},
                                "sending", 1, None, None)
            try:
                senders.send(delivery, BUDGET_SECONDS)
            except SendFailed as failure:
                results.append(TrialResult(channel, recipient, failure.message))
            else:
                results.append(TrialResult(channel, recipient, None))
    return results


def store_channel_secret(channel: str, secret: str) -> None:
    """The SMTP password or the webhook's bearer token, into the keyring."""
    from publisher.services.secrets import set_secret

    set_secret(SECRET_NAMES[channel], secret)


def deliveries(context: Context) -> list[Delivery]:
    """Every recorded delivery (for tests and a future listing)."""
    from publisher.services.queue_file import open_queue

    with open_queue(context) as queue:
        return NotificationLog(queue).all()
