"""How fast a retraction takes a statement down: `retract --yes` to the last deletion.

    python bench/retract.py [--accounts 8] [--rounds 5]

The workspace and the statement of bench/crisis_use.py (``--accounts`` Mastodon
accounts, each on its own loopback stand-in from tests/fakes, posting in sq, en and sr
separately; a text and one thread reply per language). Each round publishes a new
statement as `crisis use --now` does (not timed), then retracts it as `retract --yes`
does and times where the time goes:

- plan: reading what is published and what each platform can do (``plan_retract``);
- queue: a deletion step per part, children first, in one transaction (``act`` with
  the flush lock held by this script, so that it queues and stops there);
- delete: the flush of those steps, through the adapter to the stand-ins.

Prints the best and the median round. Secrets come from an in-memory store (no keyring).
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/crisis_use.py

from crisis_use import TokenOnly, mastodon_workspace, one_round, parse_options, print_steps


def retract_round(home: Path, number: int, now: datetime) -> dict[str, float]:
    from publisher.platforms.registry import Adapters
    from publisher.services import corrections
    from publisher.services.context import open_context
    from publisher.services.flush import flush
    from publisher.storage.lock import FileLock

    context = open_context(home)
    adapters = Adapters(outbox_dir=home / "outbox", secrets=TokenOnly(), clock=lambda: now)
    started = time.perf_counter()
    plan = corrections.plan_retract(context, f"statement-{number}", reason="bench",
                                    clock=lambda: now, adapters=adapters)
    planned = time.perf_counter()
    with FileLock(context.workspace.lock_path):  # act queues, finds the lock, stops
        done = corrections.act(context, plan, clock=lambda: now, who="bench",
                               adapters=adapters)
    queued = time.perf_counter()
    assert done.locked
    report = flush(context, clock=lambda: now, adapters=adapters, rng=random.Random(1),
                   only={outcome.item for outcome in done.outcomes})
    deleted = time.perf_counter()
    gone = [o for o in report.outcomes if o.state.value == "sent"]
    assert len(gone) == len(done.outcomes), [o.detail for o in report.outcomes]
    return {"plan": planned - started, "queue": queued - planned,
            "delete": deleted - queued, "total": deleted - started,
            "deletions": len(gone)}


def main() -> None:
    options = parse_options()
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    rounds = []
    with mastodon_workspace(options.accounts) as home:
        for number in range(options.rounds):
            sent_at = now + timedelta(minutes=2 * number)
            one_round(home, number, sent_at)
            rounds.append(retract_round(home, number, sent_at + timedelta(minutes=1)))
    posts = options.accounts * 3
    print(f"retract --yes: {options.accounts} accounts x 3 languages = {posts} posts, "
          f"{int(rounds[0]['deletions'])} deletions (text + thread reply), Mastodon stand-ins "
          f"on loopback, {options.rounds} rounds")
    print_steps(rounds, ("plan", "queue", "delete", "total"), 10)


if __name__ == "__main__":
    main()
