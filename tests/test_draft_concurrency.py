"""Several processes writing one draft at once: no write may be lost.

Every writer of a draft file (a translations import, the TUI's save, the
store's own update, ``drafts new``, the TUI's delete) reads the file, compares
it with what it expects and writes it back. Here long-lived worker processes do
that for many rounds, started together each round, and every round the file is
checked: a writer that reported success must find its change in the file.

The rounds are released in two steps, like a barrier: every worker first
prepares (writes its PO file, reads the draft it will change) and says so, then
all of them get "go" at once. The default round counts keep the file within a
few seconds; for a long run set ``PUBLISHER_DRAFT_ROUNDS`` (e.g. 5000), which
every test here uses in place of its own count::

    PUBLISHER_DRAFT_ROUNDS=5000 python -m pytest -q tests/test_draft_concurrency.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import ROOT
from queue_helpers import cli

ROUNDS_VARIABLE = "PUBLISHER_DRAFT_ROUNDS"

SOURCE_TEXT = "Lajm i ri nga ambasada."
DRAFT = f"""\
# A draft several people work on at once.
title = "shared"
source = "sq"
accounts = []
approved = false

[variants.sq]
text = \"\"\"{SOURCE_TEXT}\"\"\"

[[media]]
file = "media/flag.jpg"
alt.sq = "Flamuri"
"""

# One worker: reads "prep ROUND" and "go ROUND" lines, answers one line to each.
# Its kind (argv[2]) says what it writes and through which path:
#   import LOCALE   'translations import' of a PO file with this round's text
#   save LOCALE     the TUI's save (services.ui.save_draft)
#   alt LOCALE      DraftStore.update of the media's alt text
#   new             'drafts new shared-ROUND' (title names the worker)
#   delete / edit   the TUI's delete / save of 'victim-ROUND' with the digest
#                   read at "prep" (no retry: the first one wins)
# A writer that meets a conflict reads the file again and retries, as a person
# who chose "reload" would: every round then ends with every change in the file.
_WORKER = r"""
import sys
from datetime import datetime
from pathlib import Path

from babel.messages.pofile import write_po

from publisher.domain.errors import UserError
from publisher.services import translations, ui
from publisher.services.context import open_context
from publisher.services.drafts import new_draft
from publisher.storage.drafts import ConflictError

home, kind, locale, name = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
NOW = datetime.fromisoformat("2026-12-01T09:00:00+01:00")
po = home.parent / f"{name}.po"
digest = ""


def text_of(round_):
    return f"{name} round {round_}"


def prepare(round_):
    global digest
    context = open_context(home)
    if kind == "import":
        catalog = translations.build_catalog(context, locale)
        for message in catalog:
            if message.id:
                message.string = text_of(round_)
        with po.open("wb") as handle:
            write_po(handle, catalog)
    elif kind in ("delete", "edit"):
        digest = context.drafts.load(f"victim-{round_}").digest


def write_once(round_):
    context = open_context(home)
    if kind == "import":
        translations.import_po(context, po, locale)
    elif kind == "save":
        loaded = context.drafts.load("shared")
        ui.save_draft(context, "shared", loaded.digest,
                      ui.DraftEdit(texts={locale: text_of(round_)}))
    elif kind == "alt":
        loaded = context.drafts.load("shared")
        context.drafts.update("shared", expected_digest=loaded.digest,
                              alt_texts={("media/flag.jpg", locale): text_of(round_)})
    elif kind == "new":
        new_draft(context, f"shared-{round_}", "sq", title=text_of(round_))
    elif kind == "delete":
        ui.delete_draft(context, f"victim-{round_}", digest, NOW)
    elif kind == "edit":
        ui.save_draft(context, f"victim-{round_}", digest,
                      ui.DraftEdit(texts={locale: text_of(round_)}))


def write(round_):
    retry = kind in ("import", "save", "alt")
    for attempt in range(1, 200):
        try:
            write_once(round_)
            return "ok"
        except ConflictError:
            if not retry:
                return "conflict"
        except UserError as error:
            return "refused " + str(error).replace("\n", " ")
        except Exception as error:  # a traceback is a defect: say it, keep going
            return f"crashed {error!r}"
    return "gave-up"


for line in sys.stdin:
    step, round_ = line.split()
    if step == "prep":
        prepare(round_)
        print("ready", flush=True)
    else:
        print(write(round_), flush=True)
"""


class Workers:
    """Worker processes driven round by round through their stdin."""

    def __init__(self, home: Path, kinds: list[tuple[str, str]]):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT), os.environ.get("PYTHONPATH", "")])}
        self.names = [f"{kind}-{locale}" if locale else kind for kind, locale in kinds]
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-c", _WORKER, str(home), kind, locale, name],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
            )
            for (kind, locale), name in zip(kinds, self.names, strict=True)
        ]

    def _say(self, line: str) -> list[str]:
        for process in self.processes:
            process.stdin.write(line + "\n")
            process.stdin.flush()
        answers = [process.stdout.readline().strip() for process in self.processes]
        assert all(answers), f"a worker died: {answers}"
        return answers

    def round(self, number: int) -> dict[str, str]:
        """Prepare every worker, then let them all write at once; each one's answer."""
        self._say(f"prep {number}")
        return dict(zip(self.names, self._say(f"go {number}"), strict=True))

    def close(self) -> None:
        for process in self.processes:
            process.stdin.close()
        for process in self.processes:
            process.wait(timeout=60)


@contextmanager
def workers(home: Path, kinds: list[tuple[str, str]]) -> Iterator[Workers]:
    running = Workers(home, kinds)
    try:
        yield running
    finally:
        running.close()


def rounds(default: int) -> int:
    return int(os.environ.get(ROUNDS_VARIABLE, default))


def _shared_draft(home: Path) -> Path:
    path = home / "drafts" / "shared.toml"
    path.write_text(DRAFT, encoding="utf-8")
    cli(home, "queue")  # the queue file exists before any race
    return path


def _written(path: Path) -> dict[str, str]:
    """What the file holds of each writer's change, by writer name."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    variants = data["variants"]
    return {
        "import-en": variants.get("en", {}).get("text", ""),
        "import-sr": variants.get("sr", {}).get("text", ""),
        "save-sr-Latn": variants.get("sr-Latn", {}).get("text", ""),
        "alt-en": data["media"][0].get("alt", {}).get("en", ""),
    }


def test_concurrent_writers_of_one_draft_lose_no_update(home: Path) -> None:
    """Two imports, a TUI save and a store update, each its own part of one draft."""
    path = _shared_draft(home)
    kinds = [("import", "en"), ("import", "sr"), ("save", "sr-Latn"), ("alt", "en")]
    lost: list[str] = []
    with workers(home, kinds) as team:
        for number in range(rounds(150)):
            answers = team.round(number)
            assert set(answers.values()) == {"ok"}, answers
            written = _written(path)
            lost += [f"round {number}: {name}" for name in answers
                     if written[name] != f"{name} round {number}"]
    assert not lost, f"{len(lost)} lost update(s), first: {lost[:5]}"


def test_concurrent_creates_of_one_id_make_one_draft(home: Path) -> None:
    """'drafts new' never overwrites a draft another process created meanwhile."""
    kinds = [("new", "a"), ("new", "b"), ("new", "c")]
    overwritten: list[str] = []
    with workers(home, kinds) as team:
        for number in range(rounds(100)):
            answers = team.round(number)
            winners = [name for name, answer in answers.items() if answer == "ok"]
            title = tomllib.loads((home / "drafts" / f"shared-{number}.toml").read_text())
            assert len(winners) >= 1, answers
            if len(winners) > 1 or title["title"] != f"{winners[0]} round {number}":
                overwritten.append(f"round {number}: {answers}")
            losers = [a for a in answers.values() if a != "ok"]
            assert all("exists" in answer for answer in losers), answers
    assert not overwritten, f"{len(overwritten)} create(s) overwritten, first: {overwritten[:3]}"


def test_a_delete_and_a_save_of_one_version_never_both_succeed(home: Path) -> None:
    """Both read the same version; only the first to write may act on it."""
    cli(home, "queue")
    kinds = [("delete", ""), ("edit", "en")]
    both: list[str] = []
    with workers(home, kinds) as team:
        for number in range(rounds(100)):
            victim = home / "drafts" / f"victim-{number}.toml"
            victim.write_text(DRAFT, encoding="utf-8")
            answers = team.round(number)
            assert not any(a.startswith("crashed") for a in answers.values()), answers
            deleted, saved = answers["delete"] == "ok", answers["edit-en"] == "ok"
            if deleted and saved:
                both.append(f"round {number}")
                continue
            assert deleted or saved, answers
            if saved:
                assert "edit-en round" in victim.read_text(), answers
            else:
                assert not victim.exists(), answers
    assert not both, f"{len(both)} round(s) where the delete and the save both succeeded"
