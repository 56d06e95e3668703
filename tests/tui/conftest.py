"""Fixtures for the terminal UI tests (helpers live in tui_helpers.py)."""

from __future__ import annotations

import gettext
import shutil
from pathlib import Path

import pytest
from tui_helpers import make_app

from publisher import i18n


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo workspace (as ``publisher demo`` makes it); each test gets a copy."""
    from publisher.services.workspace import SAMPLES_WRITTEN, create_demo

    path = tmp_path_factory.mktemp("tui") / "demo"
    create_demo(path, SAMPLES_WRITTEN)  # the sample dates as written: snapshots stay put
    return path


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo"
    shutil.copytree(demo_template, path)
    return path


@pytest.fixture
def app_on(demo: Path):
    """The app on a fresh demo workspace."""
    return lambda language="en": make_app(demo, language)


class Marked(gettext.NullTranslations):
    """A stand-in catalog that marks every message it is asked for."""

    def gettext(self, message: str) -> str:
        return f"«{message}»"


@pytest.fixture
def marked_catalog(monkeypatch: pytest.MonkeyPatch):
    """Switching to "sq" installs the marking catalog: what is not marked skipped gettext."""
    real = i18n.set_language

    def switch(tag: str) -> None:
        real(tag)
        if tag == "sq":
            monkeypatch.setattr(i18n, "_current", Marked())

    monkeypatch.setattr("publisher.tui.app.set_language", switch)
