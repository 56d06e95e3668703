"""Shared fixtures: a real workspace on disk, a real keyring backend, the CLI in-process.

The keyring backend is chosen through keyring's own configuration
(``PYTHON_KEYRING_BACKEND``): keyrings.alt's plain-text file backend under a
temporary data folder, so no test touches a person's real keyring.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_KEYRING = "keyrings.alt.file.PlaintextKeyring"
# The week the sample drafts were written for: a demo made then keeps their dates.
DEMO_NOW = "2026-11-27T00:00:00+01:00"


def _hypothesis_profiles() -> None:
    """'ci' (the default) keeps property tests short; HYPOTHESIS_PROFILE=long runs them
    for long (see the README). No deadline: a CLI run's time varies with the machine."""
    from hypothesis import settings

    settings.register_profile("ci", max_examples=40, deadline=None)
    settings.register_profile("long", max_examples=4000, deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


_hypothesis_profiles()


def pytest_configure(config: pytest.Config) -> None:
    import tempfile

    data_home = Path(tempfile.mkdtemp(prefix="publisher-tests-"))
    os.environ["XDG_DATA_HOME"] = str(data_home)
    os.environ["PYTHON_KEYRING_BACKEND"] = TEST_KEYRING
    os.environ.pop("PUBLISHER_HOME", None)
    # No test reads the web: scheduling reads link cards, and a draft's link to a real
    # site meets a proxy that refuses at once, as on a machine without a network. The
    # loopback fakes are reached directly.
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        os.environ[name] = "http://127.0.0.1:9"
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost,::1"


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(*argv: str, stdin: str | None = None) -> Result:
    """Run ``publisher`` in this process with captured output."""
    from publisher.cli import main
    from publisher.i18n import set_language

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    old_out, old_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        sys.stdout, sys.stderr = old_out, old_err
        sys.stdin = old_stdin
        set_language("en")
    return Result(code, out.getvalue(), err.getvalue())


def run_process(*argv: str, stdin: str = "", env: dict[str, str] | None = None) -> Result:
    """Run ``python -m publisher`` in a child process, as cron or a person would."""
    full_env = {**os.environ, **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "publisher", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
    )
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An initialised, empty workspace."""
    path = tmp_path / "ws"
    result = run_cli("init", str(path))
    assert result.code == 0, result.err
    return path


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A demo workspace with the sample drafts and outbox accounts."""
    path = tmp_path / "demo"
    result = run_cli("--home", str(path), "demo", "--now", DEMO_NOW, "--empty-queue")
    assert result.code == 0, result.err
    return path


@pytest.fixture(scope="session")
def video_file(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``video_file(**params)``: the path of a real video made by
    ``tests.video_files.make_video(path, **params)``, made once per session and worker
    (cached by its parameters). ``VIDEO_KINDS`` in tests/video_files.py names the usual
    ones. Fails, never skips, when ffmpeg cannot run."""
    import hashlib

    from video_files import make_video, suffix_of

    folder = tmp_path_factory.mktemp("videos")

    def made(**params: object) -> Path:
        if "extra_args" in params:
            params["extra_args"] = tuple(params["extra_args"])  # type: ignore[arg-type]
        key = hashlib.sha256(repr(sorted(params.items())).encode()).hexdigest()[:16]
        path = folder / (key + suffix_of(str(params.get("container", "mp4"))))
        if not path.exists():
            partial = path.with_name("partial-" + path.name)
            make_video(partial, **params)  # type: ignore[arg-type]
            partial.replace(path)
        return path

    return made


def snapshot_tree(folder: Path) -> dict[str, bytes]:
    """Every file's bytes, to prove that a refused command wrote nothing."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(autouse=True)
def fresh_keyring() -> None:
    """Every test starts with an empty keyring file (account ids repeat across tests)."""
    import keyring

    path = getattr(keyring.get_keyring(), "file_path", None)
    if path:
        Path(path).unlink(missing_ok=True)
