"""Notifications, end to end: a real SMTP server (aiosmtpd) and a real webhook receiver
on 127.0.0.1, the real queue file, the test keyring, fixed clocks.

The flush tells translators, approvers and the staff what waits for them, once per
event, after it has published; a failing channel is tried again later without
duplicates and never changes the flush; no secret reaches any output or file.
"""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from conftest import ROOT, Result, run_cli, run_process, snapshot_tree
from fakes.base import Scripted
from fakes.smtp import FakeSmtp, FakeWebhook
from hypothesis import given
from hypothesis import strategies as st
from queue_helpers import add_account, cli, outbox_files, schedule, write_draft

from publisher.domain.errors import UserError
from publisher.domain.notifications import parse_address, parse_host_port

# aiosmtpd warns of AUTH without TLS, which its fake allows on purpose (127.0.0.1).
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
T0 = "2026-12-01T09:00:00+01:00"
PASSWORD = "Pw-7f3!notify-secret"
TOKEN = "tok-9c1-webhook-secret"
STAFF = ("arta", "ilir", "drita", "marko")
PEOPLE = """
[approval]
steps = ["desk", "spokesperson"]

[people]
desk = ["arta", "ilir"]
spokesperson = ["drita"]
translators.sr = ["marko"]
"""


def say(home: Path, *args: str, stdin: str | None = None) -> Result:
    return run_cli("--home", str(home), *args, stdin=stdin)


def address(login: str) -> str:
    return f"{login}@embassy.example"


def notify_table(smtp: str | None, webhook: str | None, user: bool = True) -> str:
    lines = ["", "[notify]"]
    if smtp:
        lines += ['email.from = "publisher@embassy.example"', f'email.smtp = "{smtp}"']
        if user:
            lines.append('email.user = "publisher"')
        lines += [f'email.to.{login} = "{address(login)}"' for login in STAFF]
    if webhook:
        lines.append(f'webhook.url = "{webhook}"')
    return "\n".join(lines) + "\n"


def configure(home: Path, smtp: str | None, webhook: str | None, user: bool = True) -> None:
    settings = home / "publisher.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + PEOPLE
                        + notify_table(smtp, webhook, user), encoding="utf-8")
    if smtp and user:
        assert say(home, "notify", "set-secret", "email", stdin=PASSWORD + "\n").code == 0
    if webhook:
        assert say(home, "notify", "set-secret", "webhook", stdin=TOKEN + "\n").code == 0


def the_drafts(home: Path) -> None:
    """news: not approved, no sr (marko; the desk). ok: approved, sent. oops: fails."""
    add_account(home, "box", "--platform", "outbox", "--locales", "sq,sr")
    add_account(home, "bad", "--platform", "outbox", "--locales", "sq")
    write_draft(home, "news", ["box"], approved=False)
    write_draft(home, "ok", ["box"], extra="")
    path = home / "drafts" / "ok.toml"
    path.write_text(path.read_text() + '[variants.sr]\ntext = """Вести."""\n')
    write_draft(home, "oops", ["bad"])
    refusal = home / "outbox" / "bad" / "refuse.txt"
    refusal.parent.mkdir(parents=True)
    refusal.write_text("refused by the test\n")
    for draft_id in ("ok", "oops"):
        clear(home, draft_id)
    schedule(home, "ok")
    schedule(home, "oops")


def clear(home: Path, draft_id: str) -> None:
    """The draft approved at both steps, by the desk and then the spokesperson."""
    from publisher.services.context import open_context
    from publisher.services.drafts import approve

    for login, step in (("arta", "desk"), ("drita", "spokesperson")):
        approve(open_context(home), draft_id, by=login, step=step,
                now=datetime.fromisoformat(T0))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rows(home: Path) -> list[sqlite3.Row]:
    db = sqlite3.connect(home / "queue.sqlite3")
    db.row_factory = sqlite3.Row
    try:
        return db.execute("SELECT * FROM notifications ORDER BY id").fetchall()
    finally:
        db.close()


def at(minutes: float) -> str:
    from datetime import datetime, timedelta

    return (datetime.fromisoformat(T0) + timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def smtp():
    with FakeSmtp("publisher", PASSWORD) as server:
        yield server


@pytest.fixture
def hook():
    with FakeWebhook() as server:
        yield server


def told(smtp: FakeSmtp) -> dict[str, list[str]]:
    """Each address's subjects, in order."""
    found: dict[str, list[str]] = {}
    for message in smtp.messages:
        for recipient in message.recipients:
            found.setdefault(recipient, []).append(message.subject)
    return found


def test_each_event_reaches_its_people_once_across_two_flushes(
        home: Path, smtp: FakeSmtp, hook: FakeWebhook) -> None:
    configure(home, smtp.address, hook.url + "/hook")
    the_drafts(home)
    published_first: list[int] = []
    smtp.on_message = lambda: published_first.append(len(outbox_files(home)))
    first = cli(home, "flush", "--now", at(0.2))
    assert first.code == 4, first.err  # oops failed: as without notifications
    second = cli(home, "flush", "--now", at(1))
    assert second.code == 0, second.err
    # The posts went out before any mail.
    assert published_first and published_first[0] == len(outbox_files(home)) == 2
    item_subject = "publisher: item 3 (oops on bad) needs a person"
    assert told(smtp) == {
        address("marko"): ["publisher: news needs sr", item_subject],
        address("arta"): ["publisher: news awaits approval (desk)", item_subject],
        address("ilir"): ["publisher: news awaits approval (desk)", item_subject],
        address("drita"): [item_subject],
    }
    assert all(m.sender == "publisher@embassy.example" for m in smtp.messages)
    marko = smtp.to(address("marko"))[0]
    assert "news" in marko.text and "sr" in marko.text
    posts = [request.json() for request in hook.requests_to("POST", "/hook")]
    assert [(p["event"], p["draft"], p["item"], p["people"]) for p in posts] == [
        ("needs-language", "news", None, ["marko"]),
        ("awaits-approval", "news", None, ["arta", "ilir"]),
        ("needs-person", "oops", 3, list(STAFF)),
    ]
    assert all(p["text"] and p["at"].endswith("Z") for p in posts)
    assert {r.headers["authorization"] for r in hook.requests} == {f"Bearer {TOKEN}"}
    assert {row["state"] for row in rows(home)} == {"sent"}
    assert smtp.logins == [("publisher", True)] * len(smtp.messages)


def test_a_new_state_is_a_new_event_and_a_published_draft_needs_nobody(
        home: Path, smtp: FakeSmtp) -> None:
    configure(home, smtp.address, None)
    the_drafts(home)
    assert cli(home, "flush", "--now", at(0.2)).code == 4
    count = len(smtp.messages)
    # The failure again after a retry: a new event for the staff.
    assert cli(home, "retry", "3", "--now", at(1)).code == 0
    assert cli(home, "flush", "--now", at(1.2)).code == 4
    assert len(smtp.messages) == count + len(STAFF)
    # The source text changes: the desk hears of the new text; marko of the new source.
    path = home / "drafts" / "news.toml"
    path.write_text(path.read_text().replace("Lajm i ri", "Lajm i ndryshuar"))
    assert cli(home, "flush", "--now", at(2)).code == 0
    assert len(smtp.messages) == count + len(STAFF) + 3
    # Approved, translated and sent: nobody is told of it any more.
    path.write_text(path.read_text() + '[variants.sr]\ntext = """Вести."""\n')
    clear(home, "news")
    schedule(home, "news", at=at(3), now=at(3))
    assert cli(home, "flush", "--now", at(3.2)).code == 0
    assert cli(home, "flush", "--now", at(4)).code == 0
    assert len(smtp.messages) == count + len(STAFF) + 3


def test_a_failing_channel_is_tried_again_later_without_duplicates(
        home: Path, smtp: FakeSmtp, hook: FakeWebhook) -> None:
    configure(home, smtp.address, hook.url + "/hook")
    the_drafts(home)
    smtp.fail_next(2)
    hook.fail_next("POST /hook", Scripted(503), Scripted(429))
    assert cli(home, "flush", "--now", at(0.2)).code == 4
    waiting = [row for row in rows(home) if row["state"] == "pending"]
    assert len(waiting) == 4 and all(row["last_error"] for row in waiting)
    assert cli(home, "flush", "--now", at(0.7)).code == 0  # before the backoff: nothing
    assert len(hook.requests) == 3 and smtp.refused == 2
    assert cli(home, "flush", "--now", at(3)).code == 0
    assert {row["state"] for row in rows(home)} == {"sent"}
    assert all(len(subjects) == len(set(subjects)) for subjects in told(smtp).values())
    assert sum(map(len, told(smtp).values())) == 7  # 1 + 2 + 4, each once
    events = [r.json()["event"] for r in hook.requests_to("POST", "/hook")]
    assert sorted(events) == sorted(["needs-language", "awaits-approval", "needs-person",
                                     "needs-language", "awaits-approval"])


def test_a_final_refusal_or_too_many_attempts_gives_up(
        home: Path, smtp: FakeSmtp, hook: FakeWebhook) -> None:
    configure(home, smtp.address, hook.url + "/hook")
    add_account(home, "box", "--platform", "outbox", "--locales", "sq,sr")
    write_draft(home, "news", ["box"])  # approved, no sr: marko alone is told
    clear(home, "news")
    smtp.fail_next(100)
    hook.fail_next("POST /hook", Scripted(404))
    minutes = [0, 1, 3, 7, 15, 31, 63, 200]
    results = [cli(home, "flush", "--now", at(m)) for m in minutes]
    assert [(r.code, r.err) for r in results] == [(0, "")] * len(minutes)  # the rows say it
    assert smtp.refused == 6 and not smtp.messages
    assert len(hook.requests) == 1
    by_channel = {row["channel"]: row for row in rows(home)}
    assert by_channel["email"]["state"] == "failed" and by_channel["email"]["attempts"] == 6
    assert by_channel["webhook"]["state"] == "failed"
    assert "404" in by_channel["webhook"]["last_error"]


def test_a_run_killed_while_sending_never_sends_that_one_again(
        home: Path, smtp: FakeSmtp, hook: FakeWebhook) -> None:
    configure(home, smtp.address, hook.url + "/hook")
    the_drafts(home)
    hook.hold_path = "POST /hook"
    process = subprocess.Popen(
        [sys.executable, "-m", "publisher", "--home", str(home), "flush", "--now", at(0.2)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert hook.received.wait(timeout=30), "the flush never reached the webhook"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    hook.hold_path = None
    hook.release.set()
    assert [row["state"] for row in rows(home)].count("sending") == 1
    rerun = cli(home, "flush", "--now", at(1))
    assert rerun.code == 0, rerun.err
    events = [r.json()["event"] for r in hook.requests_to("POST", "/hook")]
    assert sorted(events) == ["awaits-approval", "needs-language", "needs-person"]
    assert [row["state"] for row in rows(home)].count("unknown") == 1
    assert sum(map(len, told(smtp).values())) == 7


def test_channels_down_change_neither_the_exit_code_nor_the_posts(home: Path) -> None:
    configure(home, f"127.0.0.1:{closed_port()}", f"http://127.0.0.1:{closed_port()}/hook",
              user=False)
    add_account(home, "box", "--platform", "outbox", "--locales", "sq")
    write_draft(home, "ok", ["box"])
    write_draft(home, "later", ["box"])
    write_draft(home, "idle", ["box"], approved=False)  # the desk is told
    clear(home, "ok")
    clear(home, "later")
    schedule(home, "ok")
    schedule(home, "later", at=at(1))
    result = cli(home, "flush", "--now", at(0.2))
    assert (result.code, result.out, result.err) == (0, "", "")  # quiet, as cron wants it
    assert len(outbox_files(home)) == 1
    assert {row["state"] for row in rows(home)} == {"pending"}
    assert all("127.0.0.1" in row["last_error"] or "connect" in row["last_error"]
               for row in rows(home))
    result = cli(home, "flush", "--now", at(1))  # the next post is not held up either
    assert (result.code, result.err) == (0, "")
    assert len(outbox_files(home)) == 2


def test_no_secret_in_any_output_log_or_file(home: Path, smtp: FakeSmtp,
                                             hook: FakeWebhook) -> None:
    configure(home, smtp.address, hook.url + "/hook")
    assert say(home, "notify", "set-secret", "email", stdin="wrong-" + PASSWORD + "\n").code == 0
    the_drafts(home)
    outputs: list[Result] = [run_process("--home", str(home), "-vv", "flush", "--now", at(0.2))]
    assert not smtp.messages and smtp.logins[0] == ("publisher", False)
    errors = " ".join(row["last_error"] or "" for row in rows(home))
    assert "refused the login" in errors and "535" in errors
    outputs.append(run_process("--home", str(home), "-vv", "notify", "test"))
    assert outputs[-1].code == 3
    outputs.append(say(home, "notify", "set-secret", "email", stdin=PASSWORD + "\n"))
    outputs.append(run_process("--home", str(home), "-vv", "flush", "--now", at(3)))
    outputs.append(run_process("--home", str(home), "-vv", "notify", "test", "--json"))
    assert outputs[-1].code == 0, outputs[-1].err
    assert smtp.messages and hook.requests
    said = "".join(result.out + result.err for result in outputs)
    files = b"".join(snapshot_tree(home).values())
    for secret in (PASSWORD, TOKEN, "wrong-" + PASSWORD):
        assert secret not in said and secret.encode() not in files


def test_notify_test_says_each_channel(home: Path, smtp: FakeSmtp, hook: FakeWebhook) -> None:
    configure(home, smtp.address, hook.url + "/hook")
    result = cli(home, "notify", "test")
    assert result.code == 0, result.err
    assert len(smtp.messages) == len(STAFF) and len(hook.requests) == 1
    assert hook.requests[0].json()["event"] == "test"
    hook.fail_next("POST /hook", Scripted(500))
    result = cli(home, "notify", "test", "--json")
    assert result.code == 3
    data = json.loads(result.out)
    assert data["exit_code"] == 3
    assert [c["sent"] for c in data["channels"]] == [True] * len(STAFF) + [False]
    assert "HTTP 500" in data["channels"][-1]["error"]
    assert not (home / "queue.sqlite3").exists()  # tests are not recorded


def test_notify_test_without_channels_is_a_usage_error(home: Path) -> None:
    result = cli(home, "notify", "test")
    assert result.code == 2 and result.err.startswith("publisher: error: publisher.toml: ")


def test_set_secret_reads_stdin_only(home: Path) -> None:
    result = say(home, "notify", "set-secret", "webhook", stdin="")
    assert result.code == 2 and "no secret given on standard input" in result.err
    result = say(home, "notify", "set-secret", "email", stdin=PASSWORD + "\n")
    assert result.code == 0 and PASSWORD not in result.out + result.err


@pytest.mark.parametrize(("line", "said"), [
    ('email.from = "publisher at embassy"', "not an e-mail address"),
    ('email.smtp = "smtp.example:0"', "not host:port"),
    ('email.smtp = "smtp.example:99999"', "not host:port"),
    ('email.smtp = "smtp example:587"', "not host:port"),
    ('email.to.arta = "arta@"', "not an e-mail address"),
    ('email.to.arta = "arta@x.example\\nBcc: all@x.example"', "not an e-mail address"),
    ('email.to."bad name" = "a@x.example"', "not a user name"),
    ('email.password = "x"', "unknown setting"),
    ('webhook.url = "http://bridge.example/hook"', "not https"),
    ('webhook.url = "https://user:pw@bridge.example/hook"', "user name or password"),
    ('webhook.urls = "https://bridge.example/hook"', "unknown setting"),
    ('sms = "x"', "unknown setting"),
    ("webhook = 3", "must be a table"),
])
def test_a_bad_notify_table_is_one_line_with_file_and_line(home: Path, line: str,
                                                           said: str) -> None:
    settings = home / "publisher.toml"
    base = settings.read_text(encoding="utf-8")
    good = ['email.from = "publisher@embassy.example"', 'email.smtp = "smtp.example:587"']
    kept = [text for text in good if text.split("=")[0] != line.split("=")[0]]
    table = "\n[notify]\n" + "\n".join([*kept, line]) + "\n"
    settings.write_text(base + table, encoding="utf-8")
    number = (base + table).splitlines().index(line) + 1
    before = snapshot_tree(home)
    for args in (("flush", "--now", T0), ("notify", "test")):
        result = cli(home, *args)
        lines = result.err.strip().splitlines()
        assert result.code == 2 and len(lines) == 1, result.err
        assert lines[0].startswith(f"publisher: error: publisher.toml:{number}: "), lines[0]
        assert said in lines[0]
    assert snapshot_tree(home) == before


def test_a_missing_key_names_the_table(home: Path) -> None:
    settings = home / "publisher.toml"
    settings.write_text(settings.read_text() + '\n[notify]\nemail.from = "p@x.example"\n')
    result = run_cli("--home", str(home), "flush", "--now", T0)
    assert result.code == 2 and "notify.email.smtp is missing" in result.err
    assert "publisher.toml:" in result.err


# The parsers, by property

_ATOM = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-",
                min_size=1, max_size=10)
_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
_HOST = st.lists(_LABEL, min_size=1, max_size=4).map(".".join)


@given(local=st.lists(_ATOM, min_size=1, max_size=3).map(".".join), domain=_HOST)
def test_well_formed_addresses_are_taken_as_written(local: str, domain: str) -> None:
    text = f"{local}@{domain}"
    assert parse_address(text) == text


@given(st.text(max_size=40))
def test_any_text_is_an_address_or_one_user_error(text: str) -> None:
    try:
        parsed = parse_address(text)
    except UserError as error:
        assert "\n" not in error.message or "\n" in text
        return
    local, _at, domain = parsed.rpartition("@")
    assert parsed == text and local and domain
    assert not any(char.isspace() or char in "<>,;:\"()[]\\" for char in local)
    assert all(char.isalnum() or char in ".-" for char in domain)


@given(host=_HOST, port=st.integers(1, 65535))
def test_host_and_port_round_trip(host: str, port: int) -> None:
    assert parse_host_port(f"{host}:{port}") == (host, port)
    assert parse_host_port(host) == (host, 587)


@given(st.text(max_size=30))
def test_any_text_is_host_port_or_one_user_error(text: str) -> None:
    try:
        host, port = parse_host_port(text)
    except UserError:
        return
    assert 0 < port <= 65535 and host
    assert not any(char.isspace() or char in "/@" for char in host)


def test_an_auth_hold_tells_the_staff_once(home: Path, smtp: FakeSmtp) -> None:
    from fakes.mastodon import FakeMastodon

    configure(home, smtp.address, None)
    with FakeMastodon(token="the-real-token") as server:
        add_account(home, "dc", "--platform", "mastodon", "--api-base", server.url,
                    "--locales", "sq")
        assert say(home, "accounts", "set-secret", "dc", stdin="a-revoked-token\n").code == 0
        write_draft(home, "visa", ["dc"])
        write_draft(home, "visa-2", ["dc"])
        clear(home, "visa")
        clear(home, "visa-2")
        schedule(home, "visa")
        schedule(home, "visa-2")
        assert cli(home, "flush", "--now", at(0.2)).code == 4
        assert cli(home, "flush", "--now", at(1)).code == 0
    subject = "publisher: the account dc needs a new login"
    assert told(smtp) == {address(login): [subject] for login in STAFF}
    text = smtp.to(address("arta"))[0].text
    assert "Log in to it again" in text and "a-revoked-token" not in text


def test_a_silent_smtp_server_costs_the_run_its_budget_and_no_more(home: Path) -> None:
    """A server that takes the connection and never answers: the run's notifications
    end by their budget, and the delivery waits for the next run."""
    from datetime import datetime

    from publisher.services.context import open_context
    from publisher.services.notifications import notify_after_flush
    from publisher.services.queue_file import open_queue

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        configure(home, f"127.0.0.1:{silent.getsockname()[1]}", None, user=False)
        write_draft(home, "news", [], approved=False)
        context = open_context(home)
        with open_queue(context) as queue:
            report = notify_after_flush(context, queue, lambda: datetime.fromisoformat(T0),
                                        budget=0.5)
    assert report is not None and report.retrying >= 1 and report.sent == 0
    errors = {row["last_error"] for row in rows(home) if row["attempts"]}
    assert errors and all("SMTP server" in error for error in errors)
