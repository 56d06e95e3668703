"""How fast a holding statement goes out: `crisis use … --now` to the last post published.

    python bench/crisis_use.py [--accounts 8] [--rounds 5]

A workspace with ``--accounts`` Mastodon accounts, each on its own loopback stand-in
(the test suite's FakeMastodon, tests/fakes: the real adapter, real HTTP), each posting
in sq, en and sr separately, and the demo's consular holding statement (a text and one
thread reply per language: 2 queue items per post). Each round fills it with the same
values under a new id and publishes it at once, as `crisis use --now` does (the service,
then the flush of those items alone), and times where the time goes:

- fill: the placeholders of every text replaced (the domain, alone);
- validate: every post checked as scheduling checks it (counts, platform rules);
- make + queue: the rest of `crisis use` before sending (the checks again, writing the
  draft file, the journal record, queueing the items in one transaction);
- publish: the flush of those items, through the adapter to the stand-ins.

Prints the best and the median round. Secrets come from an in-memory store (no keyring).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the loopback fakes

from fakes.mastodon import FakeMastodon  # noqa: E402

TOKEN = "test-access-token"
TEMPLATE = "holding-consular-emergency"
VALUES = ["place=Skopje", "place.sr=Скопљу", "hotline=+383 38 213 444", "time=18:00"]


class TokenOnly:
    """A secret store that knows one token and keeps nothing."""

    def get(self, account_id: str, part: str | None = None) -> str | None:
        return TOKEN if part is None else None

    def set(self, account_id: str, value: str, part: str | None = None) -> None:
        pass


def make_workspace(urls: list[str]) -> Path:
    from publisher.domain.accounts import make_account
    from publisher.storage.workspace import AccountsFile, init_workspace

    home = Path(tempfile.mkdtemp(prefix="publisher-bench-"))
    workspace, _ = init_workspace(home)
    accounts = AccountsFile(workspace)
    ids = [f"mastodon-{n}" for n in range(len(urls))]
    for account_id, url in zip(ids, urls, strict=True):
        accounts.add(make_account(account_id, "mastodon", locales=["sq", "en", "sr"],
                                  api_base=url))
    text = (ROOT / "drafts" / f"{TEMPLATE}.toml").read_text(encoding="utf-8")
    listed = ", ".join(f'"{account_id}"' for account_id in ids)
    text = "\n".join(f"accounts = [{listed}]" if line.startswith("accounts =") else line
                     for line in text.splitlines()) + "\n"
    (workspace.drafts_dir / f"{TEMPLATE}.toml").write_text(text, encoding="utf-8")
    return home


def one_round(home: Path, number: int, now: datetime) -> dict[str, float]:
    from publisher.domain.templates import collect_values, fill_draft
    from publisher.platforms.registry import Adapters
    from publisher.services import queueing
    from publisher.services.context import open_context
    from publisher.services.flush import flush
    from publisher.services.templates import use_template

    context = open_context(home)
    values = collect_values(VALUES)
    template = context.drafts.load(TEMPLATE).draft
    started = time.perf_counter()
    draft = fill_draft(template, values, f"bench-{number}")
    filled = time.perf_counter()
    queueing.plan_posts(context, replace(draft, approved=True))
    validated = time.perf_counter()
    use = use_template(context, TEMPLATE, values, by="bench", now=now, at=now,
                       immediately=True, new_id=f"statement-{number}")
    queued = time.perf_counter()
    adapters = Adapters(outbox_dir=home / "outbox", secrets=TokenOnly(), clock=lambda: now)
    report = flush(context, clock=lambda: now, adapters=adapters, rng=random.Random(1),
                   only=set(use.items))
    published = time.perf_counter()
    sent = [o for o in report.outcomes if o.state.value == "sent"]
    assert len(sent) == len(use.items), [o.detail for o in report.outcomes]
    return {"fill": filled - started, "validate": validated - filled,
            "make + queue": queued - validated, "publish": published - queued,
            "total": published - started, "items": len(use.items)}


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    return parser.parse_args()


@contextmanager
def mastodon_workspace(accounts: int) -> Iterator[Path]:
    """A workspace whose accounts post to their own Mastodon stand-in on loopback."""
    servers = [FakeMastodon(token=TOKEN).__enter__() for _ in range(accounts)]
    home = make_workspace([server.url for server in servers])
    try:
        yield home
    finally:
        for server in servers:
            server.__exit__()
        shutil.rmtree(home, ignore_errors=True)


def print_steps(rounds: list[dict[str, float]], steps: tuple[str, ...], width: int) -> None:
    """Each step's best (of the round with the best total) and median, in ms."""
    best = min(rounds, key=lambda r: r["total"])
    print(f"{'':{width}}{'best':>10}{'median':>10}")
    for step in steps:
        median = statistics.median(r[step] for r in rounds)
        print(f"{step:{width}}{best[step] * 1000:8.1f} ms{median * 1000:8.1f} ms")


def main() -> None:
    options = parse_options()
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with mastodon_workspace(options.accounts) as home:
        rounds = [one_round(home, number, now + timedelta(minutes=number))
                  for number in range(options.rounds)]
    posts = options.accounts * 3
    print(f"crisis use --now: {options.accounts} accounts x 3 languages = {posts} posts, "
          f"{int(rounds[0]['items'])} queue items (text + thread reply), Mastodon stand-ins on "
          f"loopback, {options.rounds} rounds")
    print_steps(rounds, ("fill", "validate", "make + queue", "publish", "total"), 14)


if __name__ == "__main__":
    main()
