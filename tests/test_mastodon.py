"""Mastodon's ``find``: recognising our own status after the idempotency key expired."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fakes.base import Scripted
from fakes.mastodon import FakeMastodon, render

from publisher.domain.accounts import Account
from publisher.platforms.base import NOT_FOUND, Post, Published
from publisher.platforms.common.http import make_session
from publisher.platforms.mastodon.adapter import MastodonAdapter, html_text

DUE = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
ACCOUNT = Account("dc", "mastodon", ("sq",))
HARD = (
    "Ambasada & Konsullata: orari i ri <nga e hëna>.\n"
    "Детаљи: https://mfa-ks.net/sherbimet-konsullore/orari-i-ri-2026?lang=sq#top\n\n"
    "#DigitalKosovo @press@mastodon.social"
)


@pytest.fixture
def server():
    with FakeMastodon(token="tok") as fake:
        fake.now = DUE.replace(minute=1)
        yield fake


def adapter(server: FakeMastodon) -> MastodonAdapter:
    return MastodonAdapter(server.url, "tok", make_session(), clock=lambda: DUE)


def post(text: str) -> Post:
    return Post(ACCOUNT, text, ("sq",), due_at=DUE)


def test_rendered_html_reads_back_as_the_text_we_sent() -> None:
    text = html_text(render(HARD, "https://example.social"))
    assert "https://mfa-ks.net/sherbimet-konsullore/orari-i-ri-2026?lang=sq#top" in text
    assert "Ambasada & Konsullata: orari i ri <nga e hëna>." in text
    assert text.endswith("#DigitalKosovo @press")  # remote mentions are shown short


def test_find_recognises_our_status_by_its_rendered_text(server: FakeMastodon) -> None:
    sent = adapter(server).publish(post(HARD), "key-1")
    found = adapter(server).find("key-1", post(HARD))
    assert found == sent
    assert not server.requests_to("GET", f"/api/v1/statuses/{sent.remote_id}/source")


def test_find_falls_back_to_the_source_text(server: FakeMastodon) -> None:
    sent = adapter(server).publish(post("Visa-free travel since 2024."), "key-1")
    server.statuses[0]["content"] = "<p>Visa-free travel since 2024 :flag_xk:</p>"  # re-rendered
    assert adapter(server).find("key-1", post("Visa-free travel since 2024.")) == sent


def test_find_says_not_found_when_nothing_since_the_due_time_matches(
    server: FakeMastodon
) -> None:
    server.now = DUE.replace(hour=6)  # an older post with the same text is not this one
    adapter(server).publish(post("Older: visa-free travel."), "old")
    server.statuses[0]["content"] = "<p>edited</p>"
    assert adapter(server).find("key-1", post("Older: visa-free travel.")) is NOT_FOUND


def test_find_does_not_guess_when_a_source_cannot_be_read(server: FakeMastodon) -> None:
    sent = adapter(server).publish(post("Another post."), "other")
    server.fail_next(f"GET /api/v1/statuses/{sent.remote_id}/source",
                     Scripted(404, {"error": "Record not found"}))
    assert adapter(server).find("key-1", post("Our post.")) is None


def test_find_does_not_guess_from_an_unreadable_list(server: FakeMastodon) -> None:
    server.fail_next("GET /api/v1/accounts/1/statuses", Scripted(200, {"not": "a list"}))
    with pytest.raises(Exception, match="could not be read"):
        adapter(server).find("key-1", post("Our post."))


def test_published_is_what_find_returns(server: FakeMastodon) -> None:
    sent = adapter(server).publish(post("Hello"), "key-1")
    assert isinstance(sent, Published) and sent.url.endswith(sent.remote_id)
