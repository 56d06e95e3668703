"""A flush never hangs, and a second flush never takes over an item in flight.

Real HTTP over loopback: the fakes can answer one route a byte at a time (a
status line and then a header that never ends, or headers and then a body
that never ends), the way a broken proxy or a hostile server does. Deadlines
are passed in short so that each test takes seconds. The lock tests run real
processes: the holder is a ``publisher flush`` child held mid-request.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import run_cli
from fakes.base import FakeServer, Request
from fakes.mastodon import FakeMastodon
from fakes.telegram import FakeTelegram
from queue_helpers import add_account, cli, items, schedule, states, write_draft

from publisher.platforms.base import Transient
from publisher.platforms.common.http import make_session, request
from publisher.services import flush as flushing
from publisher.services.context import open_context

TOKEN = "test-access-token"
NOW = "2026-12-01T09:00:10+01:00"
NOW_UTC = datetime(2026, 12, 1, 8, 0, 10, tzinfo=UTC)
DRIP_EVERY = 0.05  # seconds between two bytes: far below any per-read timeout
DRIP_FOR = 20.0  # the server gives up then: a request that never ends fails the test here


class Dripping:
    """A fake that answers ``drip_route`` ("METHOD /path") a byte at a time.

    It takes the request first (the post is made), then sends the status line
    and a header that never ends (``drip_part = "headers"``), or whole headers
    and a body that never ends (``"body"``). ``hung_up`` is set when the client
    closed the connection mid-drip, ``gave_up`` when the server stopped first.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.drip_route: str | None = None
        self.drip_part = "body"
        self.dripping = threading.Event()
        self.hung_up = threading.Event()
        self.gave_up = threading.Event()

    def _handler_class(self):
        base = super()._handler_class()
        server = self

        class Handler(base):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                if f"{self.command} {parts.path}" != server.drip_route:
                    base._serve(self)
                    return
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(self.command, parts.path, parse_qs(parts.query),
                                  {k.lower(): v for k, v in self.headers.items()},
                                  self.rfile.read(length) if length else b"")
                status, _body, _headers = server._dispatch(request)
                server.drip(self.wfile, status)
                self.close_connection = True

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler

    def drip(self, out, status: int) -> None:
        if self.drip_part == "headers":
            at_once, filler = f"HTTP/1.1 {status} OK\r\nX-Slow: ".encode(), b"a"
        else:
            at_once = (f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
                       f"Content-Length: 1000000\r\n\r\n{{").encode()
            filler = b" "
        stop = time.monotonic() + DRIP_FOR
        try:
            out.write(at_once)
            self.dripping.set()
            while time.monotonic() < stop:
                time.sleep(DRIP_EVERY)
                out.write(filler)
        except (BrokenPipeError, ConnectionResetError):
            self.hung_up.set()
            return
        self.gave_up.set()


class Echo(Dripping, FakeServer):
    def handle(self, request: Request):
        return 200, {"ok": True}, {}


class DrippingMastodon(Dripping, FakeMastodon):
    pass


class DrippingTelegram(Dripping, FakeTelegram):
    pass


# One request


@pytest.mark.parametrize("part", ["headers", "body"])
def test_an_answer_dripping_forever_is_cut_off_at_the_request_deadline(part: str) -> None:
    with Echo() as server:
        server.drip_route, server.drip_part = "POST /post", part
        session = make_session(deadline=0.5)
        with pytest.raises(Transient) as caught:
            request(session, "POST", server.url + "/post", data=b"text")
        assert server.hung_up.wait(timeout=10), "the client never hung up"
        assert not server.gave_up.is_set()
        # The session stays usable: the next request gets a fresh connection.
        assert request(session, "GET", server.url + "/fine").json() == {"ok": True}
    assert caught.value.maybe_sent is True  # the server had the whole request
    assert "cut off" in caught.value.message


def test_a_short_deadline_is_not_kept_waiting_behind_a_longer_one() -> None:
    with Echo() as server:
        server.drip_route = "GET /slow"
        outcomes: list[str] = []

        def long_request() -> None:
            try:
                request(make_session(deadline=5.0), "GET", server.url + "/slow")
            except Transient as error:
                outcomes.append(error.message)

        longer = threading.Thread(target=long_request)
        longer.start()
        assert server.dripping.wait(timeout=10)
        with pytest.raises(Transient):
            request(make_session(deadline=0.3), "GET", server.url + "/slow")
        assert longer.is_alive()  # the short one ended first, at its own deadline
        longer.join(timeout=30)
    assert outcomes and "cut off" in outcomes[0]


# What a cut-off request becomes


def mastodon_home(home: Path, server: FakeMastodon) -> Path:
    add_account(home, "dc-mastodon", "--platform", "mastodon", "--api-base", server.url,
                "--locales", "sq")
    assert run_cli("--home", str(home), "accounts", "set-secret", "dc-mastodon",
                   stdin=TOKEN + "\n").code == 0
    write_draft(home, "news", ["dc-mastodon"])
    return home


def flush_with(home: Path, deadlines: flushing.Deadlines,
               now: datetime = NOW_UTC) -> flushing.FlushReport:
    return flushing.flush(open_context(home), clock=lambda: now, deadlines=deadlines)


def test_a_cut_off_status_on_mastodon_is_retried_with_its_key_and_posted_once(
    home: Path,
) -> None:
    with DrippingMastodon(token=TOKEN) as server:
        mastodon_home(home, server)
        (item_id,) = schedule(home, "news")
        server.drip_route = "POST /api/v1/statuses"
        report = flush_with(home, flushing.Deadlines(request=0.5))
        assert report.exit_code == 3
        (item,) = items(home)
        assert item["state"] == "retry" and "cut off" in item["error"]
        server.drip_route = None
        again = cli(home, "flush", "--now", "2026-12-01T09:03:00+01:00")  # past the backoff
        assert again.code == 0, again.err
        assert states(home) == {item_id: "sent"}
        assert len(server.statuses) == 1  # the same Idempotency-Key: no second status
        keys = {r.headers["idempotency-key"]
                for r in server.requests_to("POST", "/api/v1/statuses")}
        assert len(keys) == 1


def test_a_cut_off_message_on_telegram_is_unknown_and_never_resent(home: Path) -> None:
    with DrippingTelegram() as server:
        add_account(home, "tg", "--platform", "telegram", "--api-base", server.url,
                    "--handle", server.channel, "--locales", "sq")
        assert run_cli("--home", str(home), "accounts", "set-secret", "tg",
                       stdin=server.token + "\n").code == 0
        write_draft(home, "news", ["tg"])
        (item_id,) = schedule(home, "news")
        route = f"POST /bot{server.token}/sendMessage"
        server.drip_route, server.drip_part = route, "headers"
        report = flush_with(home, flushing.Deadlines(request=0.5))
        assert report.exit_code == 4
        assert states(home) == {item_id: "unknown"}
        server.drip_route = None
        assert cli(home, "flush", "--now", "2026-12-01T09:30:00+01:00").code == 0
        assert len(server.requests_to("POST", route.split(" ", 1)[1])) == 1


# The run's deadline


def test_after_the_run_deadline_no_item_is_claimed_and_the_rest_wait(home: Path) -> None:
    with DrippingMastodon(token=TOKEN) as server:
        mastodon_home(home, server)
        for name in ("second", "third"):
            write_draft(home, name, ["dc-mastodon"], text=f"Lajm ({name}).")
        ids = [*schedule(home, "news"), *schedule(home, "second"), *schedule(home, "third")]
        server.drip_route = "POST /api/v1/statuses"
        # The first request is cut off at 1 s, after the run's 0.5 s: nothing more is claimed.
        report = flush_with(home, flushing.Deadlines(run=0.5, request=1.0))
        assert [item.id for item in report.left_for_next_run] == ids[1:]
        assert report.exit_code == 3
        assert states(home) == {ids[0]: "retry", ids[1]: "queued", ids[2]: "queued"}
        assert len(server.requests_to("POST", "/api/v1/statuses")) == 1


def slow_answers(server: FakeServer, route: str, seconds: float) -> None:
    """Hold each request to ``route`` until ``seconds`` from now."""
    server.release.clear()
    server.hold_path = route
    threading.Timer(seconds, server.release.set).start()


def test_the_cli_says_what_waits_for_the_next_run_and_exits_3(home: Path) -> None:
    with FakeMastodon(token=TOKEN) as server:
        mastodon_home(home, server)
        write_draft(home, "second", ["dc-mastodon"], text="Lajm (second).")
        write_draft(home, "third", ["dc-mastodon"], text="Lajm (third).")
        ids = [*schedule(home, "news"), *schedule(home, "second"), *schedule(home, "third")]
        slow_answers(server, "POST /api/v1/statuses", 1.5)
        first = cli(home, "flush", "--now", NOW, "--time-limit", "1")
        assert first.code == 3
        assert first.err.splitlines() == [
            "publisher: warning: out of time for this run: 2 due items left for the next "
            "flush"]
        assert states(home) == {ids[0]: "sent", ids[1]: "queued", ids[2]: "queued"}
        slow_answers(server, "POST /api/v1/statuses", 1.5)
        second = cli(home, "flush", "--now", NOW, "--time-limit", "1", "--json")
        assert second.code == 3
        data = json.loads(second.out)
        assert data["exit_code"] == 3 and data["left_for_next_run"] == [ids[2]]
        server.hold_path = None
        last = cli(home, "flush", "--now", NOW)
        assert last.code == 0, last.err
        assert set(states(home).values()) == {"sent"} and len(server.statuses) == 3


@pytest.mark.parametrize("limit", ["0", "481", "soon"])
def test_a_time_limit_out_of_range_is_one_line(home: Path, limit: str) -> None:
    result = cli(home, "flush", "--now", NOW, "--time-limit", limit)
    assert result.code == 2 and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1 and "time-limit" in result.err


# The lock file


def flush_process(home: Path, now: str = NOW) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "publisher", "--home", str(home), "flush", "--now", now],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))


def one_line_error(result) -> str:
    assert result.code == 2 and "Traceback" not in result.err
    (line,) = result.err.strip().splitlines()
    assert line.startswith("publisher: error: ")
    return line


@pytest.mark.parametrize("kind", ["symlink", "dangling symlink", "hard link"])
def test_a_lock_path_that_links_elsewhere_is_refused_and_the_target_untouched(
    home: Path, tmp_path: Path, kind: str
) -> None:
    victim = tmp_path / "victim.txt"
    lock = home / ".flush.lock"
    if kind == "dangling symlink":
        lock.symlink_to(victim)
    else:
        victim.write_text("precious\n")
        if kind == "symlink":
            lock.symlink_to(victim)
        else:
            os.link(victim, lock)
    line = one_line_error(cli(home, "flush", "--now", NOW))
    assert ".flush.lock" in line
    if kind == "dangling symlink":
        assert not victim.exists()  # not created through the link either
    else:
        assert victim.read_text() == "precious\n"


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_lock_path_that_is_no_plain_file_is_one_line(home: Path, kind: str) -> None:
    lock = home / ".flush.lock"
    if kind == "folder":
        lock.mkdir()
    else:
        os.mkfifo(lock)
    assert ".flush.lock" in one_line_error(cli(home, "flush", "--now", NOW))


@pytest.mark.parametrize(("umask", "mode"), [(0o002, 0o664), (0o022, 0o644), (0o077, 0o600)])
def test_the_lock_file_honours_the_umask(home: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        assert cli(home, "flush", "--now", NOW).code == 0
    finally:
        os.umask(old)
    assert (home / ".flush.lock").stat().st_mode & 0o777 == mode


def test_a_lock_held_longer_than_the_lease_is_named_in_one_line(home: Path) -> None:
    with FakeMastodon(token=TOKEN) as server:
        mastodon_home(home, server)
        (item_id,) = schedule(home, "news")
        server.hold_path = "POST /api/v1/statuses"
        holder = flush_process(home)
        try:
            assert server.received.wait(timeout=30), "the flush never reached the server"
            lock_text = (home / ".flush.lock").read_text()
            assert str(holder.pid) in lock_text and "2026-12-01T08:00:10" in lock_text
            within = cli(home, "flush", "--now", "2026-12-01T09:10:00+01:00")
            assert within.code == 75 and within.err == "" and within.out == ""  # cron: silent
            past = cli(home, "flush", "--now", "2026-12-01T09:10:11+01:00")
            assert past.code == 75 and past.out == ""
            (line,) = past.err.splitlines()
            assert f"PID {holder.pid}" in line and "2026-12-01T08:00:10" in line
            as_json = cli(home, "flush", "--now", "2026-12-01T09:10:11+01:00", "--json")
            assert as_json.code == 75 and as_json.err == ""
            data = json.loads(as_json.out)
            assert data["locked"] is True and data["held_too_long"] is True
            assert data["holder"]["pid"] == holder.pid
            assert data["holder"]["since"].startswith("2026-12-01T08:00:10")
            assert states(home) == {item_id: "sending"}  # nothing done meanwhile
        finally:
            server.release.set()
            _out, err = holder.communicate(timeout=30)
        assert holder.returncode == 0, err
        assert states(home) == {item_id: "sent"} and len(server.statuses) == 1


# Leases


def test_deleting_the_lock_mid_flush_never_resends_the_item_in_flight(home: Path) -> None:
    with FakeMastodon(token=TOKEN) as server:
        server.now = NOW_UTC + timedelta(seconds=1)
        mastodon_home(home, server)
        (item_id,) = schedule(home, "news")
        server.hold_path = "POST /api/v1/statuses"
        first = flush_process(home)
        try:
            assert server.received.wait(timeout=30), "the flush never reached the server"
            (home / ".flush.lock").unlink()  # a person "cleans up a stale lock"
            second = cli(home, "flush", "--now", "2026-12-01T09:00:40+01:00")
            assert second.code == 0, second.err
            assert states(home) == {item_id: "sending"}  # under the first flush's lease
        finally:
            server.release.set()
            _out, err = first.communicate(timeout=30)
        assert first.returncode == 0 and "Traceback" not in err, err
        assert states(home) == {item_id: "sent"}
        assert len(server.requests_to("POST", "/api/v1/statuses")) == 1
        assert len(server.statuses) == 1


def test_an_item_taken_over_after_its_lease_costs_the_first_flush_a_line_not_a_traceback(
    home: Path,
) -> None:
    with FakeMastodon(token=TOKEN) as server:
        server.now = NOW_UTC + timedelta(seconds=1)
        mastodon_home(home, server)
        (item_id,) = schedule(home, "news")
        server.hold_path = "POST /api/v1/statuses"
        first = flush_process(home)
        try:
            assert server.received.wait(timeout=30), "the flush never reached the server"
            (home / ".flush.lock").unlink()
            # Past the lease, the item is the second flush's: it finds the post.
            second = cli(home, "flush", "--now", "2026-12-01T09:10:11+01:00")
            assert second.code == 0, second.err
            assert states(home) == {item_id: "sent"}
        finally:
            server.release.set()
            _out, err = first.communicate(timeout=30)
        assert first.returncode == 0 and "Traceback" not in err, err
        (line,) = err.splitlines()
        assert f"item {item_id}" in line and "another process" in line
        assert states(home) == {item_id: "sent"}
        assert len(server.requests_to("POST", "/api/v1/statuses")) == 1
        assert len(server.statuses) == 1
