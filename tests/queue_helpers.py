"""Building workspaces with approved drafts for the queue tests."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import run_cli

T0 = "2026-12-01T09:00:00+01:00"


def add_account(home: Path, account_id: str, *args: str) -> None:
    result = run_cli("--home", str(home), "accounts", "add", account_id, *args)
    assert result.code == 0, result.err


def write_draft(home: Path, draft_id: str, accounts: list[str], *, text: str = "",
                approved: bool = True, extra: str = "") -> None:
    text = text or f"Lajm i ri nga ambasada ({draft_id})."
    accounts_toml = ", ".join(f'"{a}"' for a in accounts)
    (home / "drafts" / f"{draft_id}.toml").write_text(
        f'title = "{draft_id}"\nsource = "sq"\naccounts = [{accounts_toml}]\n'
        f"approved = {'true' if approved else 'false'}\n{extra}\n"
        f'[variants.sq]\ntext = """{text}"""\n',
        encoding="utf-8",
    )


def cli(home: Path, *args: str):
    return run_cli("--home", str(home), *args)


def schedule(home: Path, draft_id: str, at: str = T0, now: str = T0) -> list[int]:
    result = cli(home, "schedule", draft_id, "--at", at, "--now", now, "--json")
    assert result.code == 0, result.err
    return [item["id"] for item in json.loads(result.out)]


def items(home: Path, state: str | None = None) -> list[dict]:
    args = ["queue", "--json"] + (["--state", state] if state else [])
    result = cli(home, *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def states(home: Path) -> dict[int, str]:
    return {item["id"]: item["state"] for item in items(home)}


def history(home: Path, item_id: int) -> list[tuple[str | None, str, str]]:
    with sqlite3.connect(home / "queue.sqlite3") as db:
        return list(db.execute(
            "SELECT from_state, to_state, actor FROM history WHERE item_id = ? ORDER BY id",
            (item_id,),
        ))


def outbox_files(home: Path) -> list[Path]:
    return sorted((home / "outbox").rglob("*.json")) if (home / "outbox").exists() else []
