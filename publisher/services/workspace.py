"""Creating workspaces: ``publisher init`` and the offline demo."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from pathlib import Path

import tomlkit

from publisher.domain.accounts import Account, make_account
from publisher.domain.audiences import Audience, parse_window
from publisher.domain.errors import UserError
from publisher.domain.results import Engagement
from publisher.i18n import _
from publisher.resources import resource_dir
from publisher.storage.audiences import AudiencesFile
from publisher.storage.drafts import DraftStore
from publisher.storage.workspace import (
    AccountsFile,
    Workspace,
    demo_root,
    init_workspace,
    is_demo,
    make_demo,
)

# The demo's accounts all publish to the offline outbox: no account, no network.
# Each imitates the text rules of the platform its name suggests.
DEMO_ACCOUNTS: tuple[Account, ...] = (
    make_account("mfa-x", "outbox", locales=["en", "sq"], handle="@MFAKosovo (demo)",
                 imitates="x", audience="kosovo", min_gap_minutes=60),
    make_account(
        "mfa-facebook", "outbox", locales=["sq", "en", "sr"], layout="combined",
        handle="MFA Kosovo (demo)", imitates="facebook", audience="kosovo",
        min_gap_minutes=120, max_per_day=3,
    ),
    make_account("embassy-dc-mastodon", "outbox", locales=["en"], handle="@embassy_dc (demo)",
                 imitates="mastodon", audience="diaspora-us", min_gap_minutes=90),
    make_account("embassy-berlin-bluesky", "outbox", locales=["sq", "en"],
                 handle="berlin.embassy (demo)", imitates="bluesky", audience="diaspora-de",
                 min_gap_minutes=60),
    make_account("mfa-telegram", "outbox", locales=["sq", "sr"], handle="@mfa_kosovo (demo)",
                 imitates="telegram", audience="kosovo", min_gap_minutes=60),
)

# Illustrative activity windows (each in its audience's own time zone).
DEMO_AUDIENCES: tuple[Audience, ...] = (
    Audience("kosovo", "Europe/Belgrade", tuple(parse_window(spec) for spec in (
        "MO-FR 07:30-09:30 0.8 morning coffee",
        "MO-FR 12:00-14:00 0.6 lunch",
        "MO-SU 19:00-22:30 1 evening news",
        "SA,SU 10:00-13:00 0.7 weekend morning",
    ))),
    Audience("diaspora-de", "Europe/Berlin", tuple(parse_window(spec) for spec in (
        "MO-FR 06:30-08:00 0.7 commute",
        "MO-FR 18:00-21:00 0.9 after work",
        "SA,SU 09:00-12:00 1 weekend",
    ))),
    Audience("diaspora-us", "America/New_York", tuple(parse_window(spec) for spec in (
        "MO-FR 08:00-10:00 0.9 morning",
        "MO-FR 17:00-20:00 0.8 evening",
        "SA,SU 10:00-14:00 0.6 weekend",
    ))),
)


def create_workspace(home: Path) -> tuple[Workspace, list[Path]]:
    return init_workspace(home)


def demo_home() -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return demo_root() / stamp


# The sample drafts' embargoes and deadlines were written for this week. A demo made
# later moves them by whole weeks (same weekday and hour) so that they still lie ahead.
SAMPLES_WRITTEN = datetime.fromisoformat("2026-11-27T00:00:00+01:00")
SAMPLE_DATE_FIELDS = ("not_before", "deadline")


def sample_shift(now: datetime | None) -> timedelta:
    """How far the demo moves its sample dates: whole weeks, none before the samples' week."""
    if now is None or now <= SAMPLES_WRITTEN:
        return timedelta(0)
    return timedelta(weeks=math.ceil((now - SAMPLES_WRITTEN) / timedelta(weeks=1)))


def shifted_sample(text: str, shift: timedelta) -> str:
    """A sample draft's text with its dates moved; comments and layout kept (tomlkit)."""
    if not shift:
        return text
    document = tomlkit.parse(text)
    for key in SAMPLE_DATE_FIELDS:
        if isinstance(document.get(key), datetime):
            document[key] = document[key] + shift
    return tomlkit.dumps(document)


def create_demo(home: Path | None, now: datetime | None = None) -> tuple[Workspace, bool]:
    """Make a demo workspace (sample drafts, outbox accounts); reuse one that exists.

    ``now`` moves the samples' embargoes and deadlines into its future (None keeps
    them as written). Returns the workspace and whether it was created now.
    """
    home = home or demo_home()
    existing = Workspace(home)
    if existing.exists():
        if not is_demo(existing):
            raise UserError(
                _("a workspace that is not a demo already lives here"),
                where=str(home),
                hint=_("choose another folder for the demo"),
            )
        return existing, False
    if home.exists() and any(home.iterdir()):
        raise UserError(
            _("the folder is not empty"), where=str(home),
            hint=_("choose an empty or new folder")
        )
    workspace, _created = init_workspace(home)
    audiences = AudiencesFile(workspace)
    for audience in DEMO_AUDIENCES:
        audiences.save(audience)
    accounts = AccountsFile(workspace)
    for account in DEMO_ACCOUNTS:
        accounts.add(account)
    samples = resource_dir("drafts")
    shift = sample_shift(now)
    drafts = DraftStore(workspace)
    for path in sorted(samples.glob("*.toml")):
        drafts.create_text(path.stem, shifted_sample(path.read_text(encoding="utf-8"), shift))
    media = samples / "media"
    media_files = sorted(p for p in media.iterdir() if p.is_file()) if media.is_dir() else []
    make_demo(workspace, media_files)
    return workspace, True


# The demo's queue: a crisis statement that went out two hours ago (one account's
# outbox refused it, to show a failure), and Flag Day's greeting waiting for its day.
DEMO_SENT = "consular-alert-floods"
DEMO_QUEUED = "flag-day-2026"
DEMO_REFUSING = "mfa-telegram"


def fill_demo_queue(workspace: Workspace, now: datetime) -> None:
    """Give a new demo's queue something in every state a person looks at: sent, failed
    and queued items, made the normal way (schedule, then flush through the outbox)
    with the demo's clock ``now``, so that the same ``now`` makes the same queue."""
    from publisher.services import flush as flushing
    from publisher.services.context import Context
    from publisher.services.queueing import schedule
    from publisher.storage.workspace import load_settings, outbox_refusing

    context = Context(workspace, load_settings(workspace))
    sent_at = now - timedelta(hours=2)
    schedule(context, DEMO_SENT, sent_at, now=sent_at - timedelta(minutes=10))
    with outbox_refusing(workspace, DEMO_REFUSING, _(
            "The demo's outbox refused this post on purpose, to show a failure; retry it "
            "in the queue.")):
        flushing.flush(context, clock=lambda: sent_at + timedelta(minutes=1))
    # Two hours into its embargo (the sample dates lie ahead of the demo's ``now``).
    embargo = context.drafts.load(DEMO_QUEUED).draft.not_before
    schedule(context, DEMO_QUEUED, (embargo or now) + timedelta(hours=2), now=now)
    fill_demo_results(workspace, now)


# The demo's results: three weeks of sample posts, sent before the demo's ``now`` and
# read at the ages that have come, so that the report (and the Results screen) show
# something offline. Made up, and said to be: drafts "sample-results-NN", the same
# numbers for the same ``now`` (seeded). Telegram is left out: it cannot be measured.
SAMPLE_DRAFT = "sample-results-{n:02d}"
SAMPLE_WEEKS = 3
# account -> (locale, mean interactions at 24 h) of its sample posts: the diaspora
# accounts do better in Albanian, the ministry's X account in English.
SAMPLE_ACCOUNTS: dict[str, tuple[tuple[str, float], ...]] = {
    "mfa-x": (("en", 38.0), ("sq", 24.0)),
    "mfa-facebook": (("sq+en+sr", 55.0),),
    "embassy-dc-mastodon": (("en", 12.0),),
    "embassy-berlin-bluesky": (("sq", 30.0), ("en", 14.0)),
}
SAMPLE_CAMPAIGNS = ("DigitalKosovo", "KosovoInUN", None)


def fill_demo_results(workspace: Workspace, now: datetime) -> None:
    """Sample sent posts with their readings (see above), written to the demo's queue."""
    from publisher.domain.queue import State
    from publisher.domain.results import AGES
    from publisher.services.context import Context
    from publisher.services.metrics import age_label
    from publisher.services.queue_file import open_queue
    from publisher.storage.queue import NewItem, Reading
    from publisher.storage.workspace import load_settings

    rng = random.Random(19)
    context = Context(workspace, load_settings(workspace))
    audiences = {a.name: a for a in DEMO_AUDIENCES}
    accounts = {a.id: a for a in DEMO_ACCOUNTS}
    start = (now - timedelta(weeks=SAMPLE_WEEKS)).replace(minute=0, second=0, microsecond=0)
    number = 0
    with open_queue(context) as queue:
        for day in range(SAMPLE_WEEKS * 7):
            for account_id, variants in SAMPLE_ACCOUNTS.items():
                if rng.random() < 0.35:
                    continue  # not every account posts every day
                locale, mean = variants[rng.randrange(len(variants))]
                audience = audiences[accounts[account_id].audience or ""]
                local = (start + timedelta(days=day)).astimezone(audience.zone).replace(
                    hour=rng.choice((8, 9, 12, 13, 18, 19, 20, 21)), minute=0)
                sent_at = local.astimezone(now.tzinfo)
                if sent_at >= now - timedelta(hours=1):
                    continue
                number += 1
                draft_id = SAMPLE_DRAFT.format(n=number)
                (item_id,) = queue.add([NewItem(
                    draft_id, account_id, "outbox", tuple(locale.split("+")),
                    f"Sample post {number} (demo results)", "sample", sent_at,
                    f"{draft_id}-{account_id}", timezone=audience.timezone)],
                    now=sent_at, actor="demo", reason="a sample of the demo's results")
                queue.move(item_id, State.QUEUED, State.SENDING, now=sent_at, actor="demo")
                queue.move(item_id, State.SENDING, State.SENT, now=sent_at, actor="demo",
                           reason="a sample of the demo's results", remote_id=draft_id)
                # Busy hours do better (the audience's activity), with noise.
                weight = 0.4 + audience.activity(sent_at).weight
                at_day = max(0.0, rng.gauss(mean * weight, mean * 0.25))
                campaign = SAMPLE_CAMPAIGNS[number % len(SAMPLE_CAMPAIGNS)]
                for age, share in zip(AGES, (0.35, 1.0, 1.3), strict=True):
                    if sent_at + age > now:
                        break
                    queue.add_reading(Reading(
                        item_id, account_id, locale, draft_id, campaign, sent_at,
                        age_label(age), sent_at + age, _sample_counts(at_day * share, rng)))


def _sample_counts(interactions: float, rng: random.Random) -> Engagement:
    """Made-up counts adding up to about ``interactions``: mostly likes."""
    total = round(interactions)
    reposts = round(total * rng.uniform(0.1, 0.25))
    replies = round(total * rng.uniform(0.03, 0.1))
    quotes = round(total * 0.02)
    return Engagement(likes=max(0, total - reposts - replies - quotes), reposts=reposts,
                      replies=replies, quotes=quotes)
