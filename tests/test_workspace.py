"""The workspace: init, home resolution, settings, the demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, run_cli, run_process, snapshot_tree

from publisher.storage.workspace import resolve_home


def test_init_creates_the_files(tmp_path: Path) -> None:
    home = tmp_path / "embassy"
    result = run_cli("init", str(home))
    assert result.code == 0, result.err
    assert (home / "publisher.toml").is_file()
    assert (home / "accounts.toml").is_file()
    assert (home / "drafts").is_dir()
    assert (home / "media").is_dir()


def test_init_twice_changes_nothing(home: Path) -> None:
    (home / "publisher.toml").write_text('ui_locale = "sq"  # mine\n')
    before = snapshot_tree(home)
    result = run_cli("init", str(home))
    assert result.code == 0
    assert "nothing changed" in result.out
    assert snapshot_tree(home) == before


def test_home_resolution_order(tmp_path: Path) -> None:
    env = {"PUBLISHER_HOME": str(tmp_path / "from-env")}
    assert resolve_home(str(tmp_path / "opt"), env) == tmp_path / "opt"
    assert resolve_home(None, env) == tmp_path / "from-env"
    default = resolve_home(None, {})
    assert default.name == "publisher"


def test_publisher_home_variable_is_used(tmp_path: Path) -> None:
    home = tmp_path / "env-home"
    assert run_process("init", env={"PUBLISHER_HOME": str(home)}).code == 0
    assert (home / "publisher.toml").is_file()


def test_missing_workspace_is_one_line_exit_2(tmp_path: Path) -> None:
    result = run_cli("--home", str(tmp_path / "nowhere"), "drafts", "list")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "publisher init" in result.err


def test_bad_timezone_in_settings(home: Path) -> None:
    (home / "publisher.toml").write_text('timezone = "Europe/Pristina"\n')
    result = run_cli("--home", str(home), "drafts", "list")
    assert result.code == 2
    assert "publisher.toml:1" in result.err
    assert "Europe/Belgrade" in result.err


def test_unknown_setting_names_the_line(home: Path) -> None:
    (home / "publisher.toml").write_text('source_locale = "sq"\nui_lang = "sq"\n')
    result = run_cli("--home", str(home), "drafts", "list")
    assert result.code == 2
    assert "publisher.toml:2" in result.err
    assert "ui_locale" in result.err


def test_demo_has_samples_and_outbox_accounts(demo: Path) -> None:
    drafts = sorted(path.stem for path in (demo / "drafts").glob("*.toml"))
    assert len(drafts) >= 6
    accounts = run_cli("--home", str(demo), "accounts", "list", "--json")
    import json

    rows = json.loads(accounts.out)
    assert rows and {row["platform"] for row in rows} == {"outbox"}
    listing = run_cli("--home", str(demo), "drafts", "list")
    assert listing.code == 0, listing.err


def test_demo_reopens_an_existing_demo(demo: Path) -> None:
    result = run_cli("--home", str(demo), "demo")
    assert result.code == 0
    assert "Opening" in result.out


def test_demo_refuses_a_real_workspace(home: Path) -> None:
    before = snapshot_tree(home)
    result = run_cli("--home", str(home), "demo")
    assert result.code == 2
    assert snapshot_tree(home) == before


def test_python_dash_m_works(tmp_path: Path) -> None:
    result = run_process("--version")
    assert result.code == 0
    assert result.out.startswith("publisher ")


@pytest.mark.parametrize("now", ["2027-06-03T10:00:00+02:00", "2031-02-28T23:30:00-05:00"])
def test_a_demo_made_later_moves_its_sample_dates_ahead_by_whole_weeks(
    tmp_path: Path, now: str
) -> None:
    import tomllib
    from datetime import datetime

    written = {p.stem: tomllib.loads(p.read_text(encoding="utf-8"))
               for p in (ROOT / "drafts").glob("*.toml")}
    path = tmp_path / "later"
    result = run_cli("--home", str(path), "demo", "--now", now)
    assert result.code == 0, result.err
    moment = datetime.fromisoformat(now)
    dated = 0
    for draft_id, sample in written.items():
        demo_text = (path / "drafts" / f"{draft_id}.toml").read_text(encoding="utf-8")
        made = tomllib.loads(demo_text)
        assert made["variants"] == sample["variants"]  # only the dates move
        if "not_before" not in sample:
            continue
        dated += 1
        shift = made["not_before"] - sample["not_before"]
        assert shift.days % 7 == 0 and shift.seconds == 0 and made["not_before"] >= moment
        if "deadline" in sample:
            assert made["deadline"] - sample["deadline"] == shift
        assert demo_text.startswith("#")  # the sample's comments are kept
    assert dated >= 3
    drafts = run_cli("--home", str(path), "drafts", "validate")
    assert drafts.code == 0, drafts.err


def test_a_demo_made_in_the_samples_week_keeps_their_dates(demo: Path) -> None:
    for sample in (ROOT / "drafts").glob("*.toml"):
        assert (demo / "drafts" / sample.name).read_bytes() == sample.read_bytes()
