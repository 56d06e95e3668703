"""Creating workspaces: ``publisher init`` and the offline demo."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from publisher.domain.accounts import Account, make_account
from publisher.domain.errors import UserError
from publisher.i18n import _
from publisher.resources import resource_dir
from publisher.storage.workspace import (
    AccountsFile,
    Workspace,
    default_home,
    init_workspace,
)

# The demo's accounts all publish to the offline outbox: no account, no network.
# Each imitates the text rules of the platform its name suggests.
DEMO_ACCOUNTS: tuple[Account, ...] = (
    make_account("mfa-x", "outbox", locales=["en", "sq"], handle="@MFAKosovo (demo)",
                 imitates="x"),
    make_account(
        "mfa-facebook", "outbox", locales=["sq", "en", "sr"], layout="combined",
        handle="MFA Kosovo (demo)", imitates="facebook",
    ),
    make_account("embassy-dc-mastodon", "outbox", locales=["en"], handle="@embassy_dc (demo)",
                 imitates="mastodon"),
    make_account("embassy-berlin-bluesky", "outbox", locales=["sq", "en"],
                 handle="berlin.embassy (demo)", imitates="bluesky"),
    make_account("mfa-telegram", "outbox", locales=["sq", "sr"], handle="@mfa_kosovo (demo)",
                 imitates="telegram"),
)


def create_workspace(home: Path) -> tuple[Workspace, list[Path]]:
    return init_workspace(home)


def demo_home() -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return default_home().parent / "publisher-demo" / stamp


def create_demo(home: Path | None) -> tuple[Workspace, bool]:
    """Make a demo workspace (sample drafts, outbox accounts); reuse one that exists.

    Returns the workspace and whether it was created now.
    """
    home = home or demo_home()
    existing = Workspace(home)
    if existing.exists():
        if not (existing.home / ".demo").exists():
            raise UserError(
                _("a workspace that is not a demo already lives here"),
                where=str(home),
                hint=_("pass another --home for the demo"),
            )
        return existing, False
    if home.exists() and any(home.iterdir()):
        raise UserError(
            _("the folder is not empty"), where=str(home), hint=_("pass an empty or new --home")
        )
    workspace, _created = init_workspace(home)
    accounts = AccountsFile(workspace)
    for account in DEMO_ACCOUNTS:
        accounts.add(account)
    samples = resource_dir("drafts")
    for path in sorted(samples.glob("*.toml")):
        shutil.copyfile(path, workspace.drafts_dir / path.name)
    media = samples / "media"
    if media.is_dir():
        for path in sorted(media.iterdir()):
            if path.is_file():
                shutil.copyfile(path, workspace.media_dir / path.name)
    (workspace.home / ".demo").write_text("This workspace was made by 'publisher demo'.\n")
    return workspace, True
