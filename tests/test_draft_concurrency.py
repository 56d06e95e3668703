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
import stat
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from publisher.domain.errors import UserError
from publisher.services import drafts
from publisher.services.context import open_context
from publisher.services.queueing import open_queue
from publisher.storage.drafts import (
    LOCK_WAIT_SECONDS,
    ConflictError,
    DraftStore,
    DraftUpdate,
    VariantEdit,
)

ROOT = Path(__file__).resolve().parent.parent
ROUNDS_VARIABLE = "PUBLISHER_DRAFT_ROUNDS"
NOW = datetime.fromisoformat("2026-12-01T09:00:00+01:00")

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
#   save LOCALE     the TUI's save (services.drafts.save_draft)
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
from publisher.services import drafts, translations
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
        for message in catalog:  # the text; the alt text is another worker's
            message.string = text_of(round_) if message.context == "shared/text" else ""
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
        drafts.save_draft(context, "shared", loaded.digest,
                          drafts.DraftEdit(texts={locale: text_of(round_)}))
    elif kind == "alt":
        loaded = context.drafts.load("shared")
        context.drafts.update("shared", expected_digest=loaded.digest,
                              alt_texts={("media/flag.jpg", locale): text_of(round_)})
    elif kind == "new":
        new_draft(context, f"shared-{round_}", "sq", title=text_of(round_))
    elif kind == "delete":
        drafts.delete_draft(context, f"victim-{round_}", digest, NOW)
    elif kind == "edit":
        drafts.save_draft(context, f"victim-{round_}", digest,
                          drafts.DraftEdit(texts={locale: text_of(round_)}))


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
    _make_queue(home)
    return path


def _make_queue(home: Path) -> None:
    """The queue file exists before any race (a delete looks into it)."""
    with open_queue(open_context(home)):
        pass


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
        for number in range(rounds(60)):
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
    _make_queue(home)
    kinds = [("delete", ""), ("edit", "en")]
    both: list[str] = []
    crashed: list[str] = []
    with workers(home, kinds) as team:
        for number in range(rounds(100)):
            victim = home / "drafts" / f"victim-{number}.toml"
            victim.write_text(DRAFT, encoding="utf-8")
            answers = team.round(number)
            deleted, saved = answers["delete"] == "ok", answers["edit-en"] == "ok"
            if any(answer.startswith("crashed") for answer in answers.values()):
                crashed.append(f"round {number}: {answers}")
            elif deleted and saved:
                both.append(f"round {number}")
            else:
                assert deleted or saved, answers
                assert victim.exists() == saved, answers
                if saved:
                    assert "edit-en round" in victim.read_text(), answers
    assert not both and not crashed, (
        f"{len(both)} round(s) where the delete and the save both succeeded; "
        f"{len(crashed)} with a traceback, first: {crashed[:1]}")


# The lock itself, in one process (flock locks are per open file, so a second
# open of the lock file here is as good a rival as another process).


@contextmanager
def drafts_lock_held(home: Path) -> Iterator[None]:
    import fcntl

    fd = os.open(home / ".drafts.lock", os.O_RDONLY | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _store(home: Path, lock_wait: float = LOCK_WAIT_SECONDS) -> DraftStore:
    return DraftStore(open_context(home).workspace, lock_wait=lock_wait)


def test_a_writer_waits_for_the_lock_then_gives_up_with_one_line(home: Path) -> None:
    path = _shared_draft(home)
    store = _store(home, lock_wait=0.3)
    digest = store.load("shared").digest
    busy = "another process has been writing drafts"
    with drafts_lock_held(home), pytest.raises(UserError, match=busy) as caught:
        store.update("shared", expected_digest=digest, variants={"en": VariantEdit("Hi")})
    assert "\n" not in str(caught.value) and caught.value.where == ".drafts.lock"
    assert path.read_text(encoding="utf-8") == DRAFT


def test_a_writer_goes_on_once_the_lock_is_free(home: Path) -> None:
    _shared_draft(home)
    store = _store(home)
    digest = store.load("shared").digest
    release = threading.Event()

    def hold() -> None:
        with drafts_lock_held(home):
            holding.set()
            release.wait(5)

    holding = threading.Event()
    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    threading.Timer(0.2, release.set).start()
    updated = store.update("shared", expected_digest=digest, variants={"en": VariantEdit("Hi")})
    holder.join()
    assert updated.draft.variants["en"].text == "Hi"


def test_the_lock_file_is_never_followed_through_a_symlink(home: Path, tmp_path: Path) -> None:
    path = _shared_draft(home)
    target = tmp_path / "elsewhere"
    (home / ".drafts.lock").symlink_to(target)
    store = _store(home)
    with pytest.raises(UserError, match="symbolic link"):
        store.update("shared", expected_digest=store.load("shared").digest,
                     variants={"en": VariantEdit("Hi")})
    assert not target.exists()
    assert path.read_text(encoding="utf-8") == DRAFT


def test_the_lock_file_follows_the_umask_and_is_never_a_draft(home: Path) -> None:
    _shared_draft(home)
    old = os.umask(0o027)
    try:
        store = _store(home)
        store.update("shared", expected_digest=store.load("shared").digest, approved=True)
    finally:
        os.umask(old)
    lock = home / ".drafts.lock"
    assert stat.S_IMODE(lock.stat().st_mode) == 0o640
    assert store.ids() == ["shared"]
    assert [path.name for path in (home / "drafts").iterdir()] == ["shared.toml"]


def test_an_import_of_several_drafts_writes_all_or_none(home: Path) -> None:
    path = _shared_draft(home)
    other = home / "drafts" / "other.toml"
    other.write_text(DRAFT, encoding="utf-8")
    store = _store(home)
    digests = {draft_id: store.load(draft_id).digest for draft_id in ("other", "shared")}
    theirs = DRAFT.replace('title = "shared"', 'title = "theirs"')
    path.write_text(theirs, encoding="utf-8")  # after reading, before writing
    updates = {draft_id: DraftUpdate(digest, variants={"en": VariantEdit("Hi")})
               for draft_id, digest in digests.items()}
    with pytest.raises(ConflictError):
        store.update_many(updates)
    assert other.read_text(encoding="utf-8") == DRAFT  # written first, yet not written
    assert path.read_text(encoding="utf-8") == theirs


def test_every_writer_says_the_same_about_a_conflict(home: Path) -> None:
    path = _shared_draft(home)
    context = open_context(home)
    digest = context.drafts.load("shared").digest
    path.write_text(DRAFT + "# their note\n", encoding="utf-8")
    errors = []
    for write in (
        lambda: context.drafts.update("shared", expected_digest=digest, approved=True),
        lambda: drafts.save_draft(context, "shared", digest, drafts.DraftEdit(title="Mine")),
        lambda: drafts.delete_draft(context, "shared", digest, NOW),
    ):
        with pytest.raises(ConflictError) as caught:
            write()
        errors.append(str(caught.value))
    assert len(set(errors)) == 1, errors
    assert path.read_text(encoding="utf-8") == DRAFT + "# their note\n"
    assert not (home / ".publisher-kept").exists()


def test_create_never_replaces_a_file_even_without_hard_links(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    store = _store(home)
    (home / "drafts" / "taken.toml").write_text(DRAFT, encoding="utf-8")
    monkeypatch.setattr(os, "link", no_links)  # as on a file system without them
    with pytest.raises(UserError, match="exists"):
        store.create_text("taken", DRAFT.replace("shared", "mine"))
    assert (home / "drafts" / "taken.toml").read_text(encoding="utf-8") == DRAFT
    store.create_text("fresh", DRAFT)
    assert store.ids() == ["fresh", "taken"]
    assert store.load("fresh").draft.title == "shared"


def test_deleting_keeps_the_exact_bytes_and_never_over_an_earlier_copy(home: Path) -> None:
    context = open_context(home)
    kept = []
    for text in (DRAFT, DRAFT + "# second\n"):
        path = _shared_draft(home)
        path.write_text(text, encoding="utf-8")
        digest = context.drafts.load("shared").digest
        kept.append(drafts.delete_draft(context, "shared", digest, NOW))
    assert [k.read_text(encoding="utf-8") for k in kept] == [DRAFT, DRAFT + "# second\n"]
    assert not (home / "drafts" / "shared.toml").exists()
