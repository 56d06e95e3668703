"""Checks, counters and parsers on long adversarial texts: oversized texts are refused
early, and the results on long inputs are right (the time is measured by
bench/checks.py, never asserted here)."""

from __future__ import annotations

from pathlib import Path

import tomlkit
from conftest import run_cli

from publisher.domain.textrules import MAX_TEXT_CHARS


def draft_file(home: Path, draft: dict) -> Path:
    path = home / "drafts" / "long.toml"
    path.write_text(tomlkit.dumps(draft), encoding="utf-8")
    return path


def test_a_variant_over_the_text_limit_is_refused_where_the_draft_is_read(home: Path) -> None:
    text = "ab " * (MAX_TEXT_CHARS // 3 + 1)
    path = draft_file(home, {"source": "sq",
                             "variants": {"sq": {"text": "Lajme."}, "en": {"text": text}}})
    line = path.read_text(encoding="utf-8").split("\n").index(f'text = "{text}"') + 1
    result = run_cli("--home", str(home), "drafts", "check", "long")
    assert result.code == 2, result.err
    assert f"drafts/long.toml:{line}: variants.en.text: is" in result.err
    assert f"{MAX_TEXT_CHARS}" in result.err and result.err.count("\n") == 1


def test_an_alt_text_over_the_text_limit_is_refused(home: Path) -> None:
    alt = {"sq": "x" * (MAX_TEXT_CHARS + 1)}
    draft_file(home, {"source": "sq", "variants": {"sq": {"text": "Lajme."}},
                      "media": [{"file": "media/a.png", "alt": alt}]})
    result = run_cli("--home", str(home), "drafts", "validate")
    assert result.code == 2 and "media.alt.sq: is" in result.err


def test_a_text_at_the_limit_is_taken(home: Path) -> None:
    draft_file(home, {"source": "sq", "variants": {"sq": {"text": "ab " * (MAX_TEXT_CHARS // 3)}}})
    result = run_cli("--home", str(home), "drafts", "validate")
    assert result.code == 0, result.err
