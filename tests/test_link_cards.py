"""Link cards: the page reader against real pages on loopback, and scheduling keeping
the card in each item's snapshot (one read per link, one warning per page that gives
none), then the outbox recording it."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from fakes.web import FakeWeb, Page, html, png
from hypothesis import given
from hypothesis import strategies as st
from queue_helpers import T0, add_account, cli, items, outbox_files, write_draft

from publisher.domain.link_cards import card_link, wants_card
from publisher.platforms.common.link_cards import (
    MAX_HTML_BYTES,
    MAX_REDIRECTS,
    CardUnavailable,
    page_tags,
    read_link_card,
)

OG = ('<meta property="og:title" content="Dita e Flamurit">'
      '<meta property="og:description" content="Gëzuar &amp; mirëseardhje">'
      '<meta property="og:image" content="{image}">'
      "<title>Not this one</title>")


@pytest.fixture
def web():
    with FakeWeb() as server:
        server.pages["/flag.png"] = Page(png(40, 21), "image/png")
        yield server


def test_open_graph_tags_make_the_card(web: FakeWeb) -> None:
    web.pages["/news"] = Page(html(OG.format(image=f"{web.url}/flag.png")))
    card = read_link_card(f"{web.url}/news")
    assert (card.url, card.title, card.description) == (
        f"{web.url}/news", "Dita e Flamurit", "Gëzuar & mirëseardhje")
    assert card.image is not None and card.image.mime == "image/png"
    assert card.image.data == png(40, 21) and card.image.extension == "png"


def test_twitter_tags_then_the_title_are_the_fallbacks(web: FakeWeb) -> None:
    web.pages["/tw"] = Page(html('<meta name="twitter:title" content="Lajme">'
                                 '<meta name="twitter:description" content="Sot">'
                                 '<meta name="twitter:image" content="/flag.png">'
                                 "<title>Ignored</title>"))
    web.pages["/plain"] = Page(html("<title>\n  Ambasada   e Kosovës\n</title>"))
    card = read_link_card(f"{web.url}/tw")
    assert (card.title, card.description) == ("Lajme", "Sot")
    assert card.image is not None
    plain = read_link_card(f"{web.url}/plain")
    assert (plain.title, plain.description, plain.image) == ("Ambasada e Kosovës", "", None)


def test_a_relative_image_is_resolved_against_the_page_after_its_redirects(
        web: FakeWeb) -> None:
    web.pages["/old"] = Page(status=301, headers={"Location": "/news/today"})
    web.pages["/news/today"] = Page(html(OG.format(image="img/flag.png")))
    web.pages["/news/img/flag.png"] = Page(png(), "image/png")
    card = read_link_card(f"{web.url}/old")
    assert card.url == f"{web.url}/old" and card.image is not None
    assert web.hits_of("/news/img/flag.png") == 1


def test_oversized_html_gives_no_card(web: FakeWeb) -> None:
    big = html("<title>x</title>", "a" * (MAX_HTML_BYTES + 10))
    web.pages["/declared"] = Page(big)
    web.pages["/undeclared"] = Page(big, length=False)  # no Content-Length: counted as read
    for path in ("/declared", "/undeclared"):
        with pytest.raises(CardUnavailable, match="over"):
            read_link_card(f"{web.url}{path}")


def test_a_slow_server_is_cut_off_at_the_deadline(web: FakeWeb) -> None:
    web.pages["/slow"] = Page(html("<title>Slow</title>", "x" * 4000), chunk=100, pause=0.2)
    with pytest.raises(CardUnavailable):
        read_link_card(f"{web.url}/slow", deadline=1.0)


def test_a_page_must_be_html_and_an_image_an_image(web: FakeWeb) -> None:
    web.pages["/doc.pdf"] = Page(b"%PDF-1.7", "application/pdf")
    with pytest.raises(CardUnavailable, match="application/pdf"):
        read_link_card(f"{web.url}/doc.pdf")
    web.pages["/fake.png"] = Page(html("<title>x</title>"), "image/png")  # a lying type
    web.pages["/html-image"] = Page(png(), "text/html")
    for image in ("/fake.png", "/html-image", "/missing.png"):
        web.pages["/page"] = Page(html(OG.format(image=image)))
        card = read_link_card(f"{web.url}/page")
        assert card.title == "Dita e Flamurit" and card.image is None


def test_redirects_are_followed_up_to_the_limit(web: FakeWeb) -> None:
    for hop in range(MAX_REDIRECTS + 1):
        web.pages[f"/r{hop}"] = Page(status=302, headers={"Location": f"/r{hop + 1}"})
    web.pages[f"/r{MAX_REDIRECTS + 1}"] = Page(html("<title>End</title>"))
    assert read_link_card(f"{web.url}/r1").title == "End"
    with pytest.raises(CardUnavailable, match="redirects"):
        read_link_card(f"{web.url}/r0")


def test_a_redirect_to_plain_http_elsewhere_is_refused(web: FakeWeb) -> None:
    web.pages["/away"] = Page(status=302, headers={"Location": "http://example.org/"})
    with pytest.raises(CardUnavailable, match="not https"):
        read_link_card(f"{web.url}/away")
    with pytest.raises(CardUnavailable, match="not an http"):
        read_link_card("ftp://127.0.0.1/file")


def test_a_page_in_another_charset_is_read_in_it(web: FakeWeb) -> None:
    web.pages["/cyr"] = Page(html("<title>Вести из амбасаде</title>").decode().encode(
        "windows-1251"), "text/html; charset=windows-1251")
    web.pages["/meta"] = Page(('<html><head><meta charset="iso-8859-2">'
                               "<title>Lajme nga Prishtinë</title></head></html>")
                              .encode("iso-8859-2"), "text/html")
    web.pages["/unknown"] = Page(html("<title>Mirë</title>"), "text/html; charset=no-such")
    assert read_link_card(f"{web.url}/cyr").title == "Вести из амбасаде"
    assert read_link_card(f"{web.url}/meta").title == "Lajme nga Prishtinë"
    assert read_link_card(f"{web.url}/unknown").title == "Mirë"


def test_a_page_without_tags_or_title_gives_no_card(web: FakeWeb) -> None:
    web.pages["/bare"] = Page(b"<p>Nothing to show</p>")
    with pytest.raises(CardUnavailable, match="no title"):
        read_link_card(f"{web.url}/bare")
    with pytest.raises(CardUnavailable, match="HTTP 404"):
        read_link_card(f"{web.url}/nowhere")


@given(st.text())
def test_reading_the_tags_never_raises_on_any_text(text: str) -> None:
    assert isinstance(page_tags(text), dict)


MARKUP = st.sampled_from(["<", ">", "</", "<!", "<!--", "-->", "<![CDATA[", "]]>", "<?", "&",
                          "&#", "&#x", ";", "=", '"', "'", "meta", "title", "head", "body",
                          "script", "property", "content", "og:title", " ", "\0", "é"])


@given(st.lists(MARKUP, max_size=60).map("".join))
def test_reading_the_tags_never_raises_on_broken_markup(text: str) -> None:
    tags = page_tags(text)
    assert all(isinstance(key, str) and isinstance(value, str) for key, value in tags.items())


def test_only_http_links_of_posts_without_images_on_card_platforms_get_one() -> None:
    text = "Lajme: mfa-ks.net/a dhe https://mfa-ks.net/b, pastaj http://x.org/c"
    assert card_link(text) == "https://mfa-ks.net/b"
    assert card_link("Pa lidhje, vetëm mfa-ks.net") is None
    assert wants_card("bluesky", text, has_media=False, link_card=True) == "https://mfa-ks.net/b"
    assert wants_card("bluesky", text, has_media=True, link_card=True) is None
    assert wants_card("bluesky", text, has_media=False, link_card=False) is None
    for platform in ("x", "mastodon", "telegram", "instagram"):
        assert wants_card(platform, text, has_media=False, link_card=True) is None


# Scheduling


def _cards(home: Path) -> list[tuple[str | None, int]]:
    with sqlite3.connect(home / "queue.sqlite3") as db:
        return list(db.execute("SELECT card, link_previews FROM items ORDER BY id"))


@pytest.fixture
def ws(home: Path) -> Path:
    add_account(home, "box-sq", "--platform", "outbox", "--locales", "sq")
    add_account(home, "box-en", "--platform", "outbox", "--locales", "sq")
    add_account(home, "tg", "--platform", "telegram", "--handle", "@embassy", "--locales", "sq")
    return home


def test_scheduling_keeps_one_card_shared_by_every_item_of_the_link(ws: Path,
                                                                    web: FakeWeb) -> None:
    web.pages["/flag"] = Page(html(OG.format(image="/flag.png")))
    link = f"{web.url}/flag"
    write_draft(ws, "flag", ["box-sq", "box-en", "tg"], text=f"Gëzuar! {link}")
    result = cli(ws, "schedule", "flag", "--at", T0, "--now", T0)
    assert result.code == 0 and result.err == ""
    assert web.hits_of("/flag") == 1 and web.hits_of("/flag.png") == 1
    rows = _cards(ws)
    assert rows[2] == (None, 1)  # Telegram builds its own preview
    card = json.loads(rows[0][0])
    assert rows[0] == rows[1]
    digest = hashlib.sha256(png(40, 21)).hexdigest()
    assert card == {"url": link, "title": "Dita e Flamurit",
                    "description": "Gëzuar & mirëseardhje",
                    "image": f"media/.cards/{digest}.png", "image_sha256": digest,
                    "image_width": 40, "image_height": 21}
    assert (ws / card["image"]).read_bytes() == png(40, 21)
    listed = [item["card"] for item in items(ws)]
    assert listed == [{"url": link, "title": "Dita e Flamurit", "image": card["image"]}] * 2 \
        + [None]
    # The flush sends the snapshot: the page is not read again.
    sent = cli(ws, "flush", "--now", "2026-12-01T09:01:00+01:00")
    assert web.hits_of("/flag") == 1
    records = [json.loads(path.read_text()) for path in outbox_files(ws)]
    assert [r["card"] for r in records] == [{
        "url": link, "title": "Dita e Flamurit", "description": "Gëzuar & mirëseardhje",
        "image": f"{digest}.png"}] * 2, sent.err


def test_a_page_that_cannot_be_read_is_one_warning_not_a_refusal(ws: Path,
                                                                 web: FakeWeb) -> None:
    link = f"{web.url}/gone"
    write_draft(ws, "gone", ["box-sq", "box-en"], text=f"Lajm: {link}")
    result = cli(ws, "schedule", "gone", "--at", T0, "--now", T0)
    assert result.code == 0, result.err
    assert result.err == (f"publisher: warning: no link card for {link}: HTTP 404; "
                          "the post goes out without one\n")
    assert _cards(ws) == [(None, 1), (None, 1)]


def test_link_card_false_reads_nothing_and_turns_previews_off(ws: Path, web: FakeWeb) -> None:
    web.pages["/flag"] = Page(html(OG.format(image="/flag.png")))
    write_draft(ws, "quiet", ["box-sq", "tg"], text=f"Lajm: {web.url}/flag",
                extra="link_card = false")
    assert cli(ws, "schedule", "quiet", "--at", T0, "--now", T0).code == 0
    assert web.hits == [] and _cards(ws) == [(None, 0), (None, 0)]


def test_a_post_with_images_gets_no_card(ws: Path, web: FakeWeb) -> None:
    (ws / "media" / "flag.png").write_bytes(png())
    write_draft(ws, "photo", ["box-sq"], text=f"Lajm: {web.url}/flag",
                extra='[[media]]\nfile = "media/flag.png"\nalt.sq = "Flamuri"')
    assert cli(ws, "schedule", "photo", "--at", T0, "--now", T0).code == 0
    assert web.hits == [] and _cards(ws) == [(None, 1)]


def test_link_card_must_be_true_or_false(ws: Path) -> None:
    write_draft(ws, "typo", ["box-sq"], extra='link_card = "no"')
    result = cli(ws, "drafts", "validate")
    assert result.code == 2
    assert "link_card: must be true or false" in result.err


def test_turning_link_card_off_after_scheduling_is_an_edit(ws: Path, web: FakeWeb) -> None:
    web.pages["/flag"] = Page(html(OG.format(image="/flag.png")))
    write_draft(ws, "news", ["box-sq"], text=f"Lajm: {web.url}/flag")
    assert cli(ws, "schedule", "news", "--at", T0, "--now", T0).code == 0
    write_draft(ws, "news", ["box-sq"], text=f"Lajm: {web.url}/flag", extra="link_card = false")
    result = cli(ws, "flush", "--now", "2026-12-01T09:01:00+01:00")
    (item,) = items(ws)
    assert item["state"] == "failed" and "edited after it was queued" in item["error"], result
    assert outbox_files(ws) == []
