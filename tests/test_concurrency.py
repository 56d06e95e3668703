"""Several processes at once: what the queue's write lock must make safe."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from queue_helpers import add_account, cli, items, write_draft

from publisher.storage.queue import SCHEMA_VERSION, Queue

# Each child waits for the "go" file, then opens (and so creates) the queue.
_OPEN_QUEUE = """
import sys
from pathlib import Path
from publisher.storage.queue import Queue
go = Path(sys.argv[2])
while not go.exists():  # spin: the children must start within microseconds
    pass
Queue(Path(sys.argv[1])).close()
"""


def test_two_processes_creating_the_queue_at_once_both_succeed(tmp_path: Path) -> None:
    for attempt in range(10):
        path, go = tmp_path / f"queue-{attempt}.sqlite3", tmp_path / f"go-{attempt}"
        children = [subprocess.Popen([sys.executable, "-c", _OPEN_QUEUE, str(path), str(go)],
                                     stderr=subprocess.PIPE, text=True) for _ in range(6)]
        time.sleep(0.5)  # let every child reach its wait
        go.touch()
        errors = [child.communicate(timeout=60)[1] for child in children]
        assert [child.returncode for child in children] == [0] * 6, errors
        assert Queue(path).schema_version == SCHEMA_VERSION


# Each child plans the draft, waits for the "go" file, then queues it.
_SCHEDULE = """
import sys
from datetime import datetime
from pathlib import Path
from publisher.domain.errors import UserError
from publisher.services.context import open_context
from publisher.services.queueing import plan_posts, queue_posts
home, go = Path(sys.argv[1]), Path(sys.argv[2])
context = open_context(home)
draft = context.drafts.load("news").draft
posts = plan_posts(context, draft)
at = datetime.fromisoformat("2026-12-01T09:00:00+01:00")
while not go.exists():
    pass
try:
    queue_posts(context, draft, [(post, at) for post in posts], now=at)
    print("queued")
except UserError:
    print("refused")
"""


def test_two_people_scheduling_one_draft_at_once_queue_it_once(home: Path) -> None:
    for name in ("box-1", "box-2", "box-3"):
        add_account(home, name, "--platform", "outbox", "--locales", "sq")
    write_draft(home, "news", ["box-1", "box-2", "box-3"])
    cli(home, "queue")  # the queue file exists before the race
    for attempt in range(3):
        go = home / f"go-{attempt}"
        children = [subprocess.Popen([sys.executable, "-c", _SCHEDULE, str(home), str(go)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                    for _ in range(4)]
        time.sleep(1.0)  # let every child reach its wait
        go.touch()
        answers = [child.communicate(timeout=60) for child in children]
        said = sorted(out.strip() for out, _err in answers)
        assert said == ["queued", "refused", "refused", "refused"], answers
        queued = items(home, "queued")
        assert len(queued) == 3
        for item in queued:  # cancelled: the draft may be queued again
            assert cli(home, "cancel", str(item["id"])).code == 0
