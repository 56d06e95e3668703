"""What every platform shares: the image header parser and the search among recent posts."""

from __future__ import annotations

import re
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.platforms.base import NOT_FOUND, Published
from publisher.platforms.common.media import image_size, image_type
from publisher.platforms.common.recent import comparable, find_ours, verdict

sizes = st.integers(min_value=1, max_value=65535)


def png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\0\0\0\0"


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\0\0\0;"


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0" + bytes(9)
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + bytes(3)
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


@settings(max_examples=60, deadline=None)
@given(width=sizes, height=sizes, kind=st.sampled_from([png, gif, jpeg]))
def test_the_size_is_read_from_each_kind_of_header(tmp_path_factory, width: int, height: int,
                                                   kind) -> None:
    path = tmp_path_factory.mktemp("img") / "image"
    path.write_bytes(kind(width, height))
    assert image_size(path) == (width, height)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=64)
       | st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8", b"GIF89a"]).flatmap(
           lambda head: st.binary(max_size=40).map(lambda rest: head + rest)))
def test_any_bytes_give_a_size_or_none_never_an_error(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("img") / "image"
    path.write_bytes(data)
    size = image_size(path)
    assert size is None or (isinstance(size, tuple) and len(size) == 2)
    image_type(path)


def test_an_unreadable_or_missing_file_has_no_size(tmp_path: Path) -> None:
    assert image_size(tmp_path / "gone.png") is None
    assert image_size(tmp_path) is None  # a folder


def test_a_cut_short_header_has_no_size(tmp_path: Path) -> None:
    path = tmp_path / "cut"
    for cut in (png(10, 20)[:20], gif(10, 20)[:8], jpeg(10, 20)[:26], jpeg(10, 20)[:21]):
        path.write_bytes(cut)
        assert image_size(path) is None, cut


URL = ((re.compile(r"https?://\S+"), "<url>"),)


def test_texts_compare_without_spacing_and_with_the_platforms_rewrites() -> None:
    assert comparable("  Hello\n\nworld ") == "Hello world"
    assert comparable("see https://t.co/x1", URL) == comparable("see  https://example.org", URL)


def test_the_first_post_with_our_text_made_since_is_ours() -> None:
    due = datetime(2026, 12, 1, 9, tzinfo=UTC)
    posts = [
        {"id": "old", "text": "Hello world", "at": due - timedelta(days=5)},
        {"id": "unreadable", "text": None, "at": due},
        {"id": "other", "text": "Something else", "at": due},
        {"id": "ours", "text": "Hello\nworld", "at": due + timedelta(minutes=1)},
        {"id": "later", "text": "Hello world", "at": None},
    ]
    found = find_ours("Hello world", posts, lambda post: post["text"],
                      made_at=lambda post: post["at"], since=due)
    assert found is not None and found["id"] == "ours"
    assert find_ours("Hello world", posts, lambda post: post["text"])["id"] == "old"
    assert find_ours("Nothing like it", posts, lambda post: post["text"]) is None


def test_reading_stops_at_the_first_match() -> None:
    asked: list[int] = []

    def text_of(number: int) -> str:
        asked.append(number)
        return "ours" if number == 1 else "other"

    assert find_ours("ours", [0, 1, 2, 3], text_of) == 1
    assert asked == [0, 1]


def test_the_verdict_is_found_not_found_or_cannot_tell() -> None:
    post = Published("1", None)
    assert verdict(post) is post and verdict(post, complete=True) is post
    assert verdict(None, complete=True) is NOT_FOUND
    assert verdict(None) is None


def test_the_platforms_layer_imports_no_layer_above_it() -> None:
    """platforms/ may be called by services/; it never calls services/, cli/ or tui/."""
    import ast

    above = ("publisher.services", "publisher.cli", "publisher.tui")
    folder = Path(__file__).parent.parent / "publisher" / "platforms"
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.name}: {name}" for name in names if name.startswith(above)]
    assert found == []
