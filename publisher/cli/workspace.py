"""``publisher init``, ``publisher demo`` and ``publisher`` alone."""

from __future__ import annotations

import argparse
from pathlib import Path

from publisher.cli.common import Cli
from publisher.i18n import _
from publisher.services.workspace import create_demo, create_workspace


def register(commands: argparse._SubParsersAction) -> None:
    init = commands.add_parser("init", help=_("make a workspace"))
    init.add_argument("dir", nargs="?", help=_("the folder (default: --home or the usual place)"))
    init.set_defaults(handler=run_init)

    demo = commands.add_parser("demo", help=_("make an offline demo workspace and open it"))
    demo.set_defaults(handler=run_demo)


def run_init(args: argparse.Namespace, cli: Cli) -> int:
    home = Path(args.dir).expanduser().resolve() if args.dir else cli.home
    workspace, created = create_workspace(home)
    if created:
        cli.print(_("Workspace ready at {home}").format(home=workspace.home))
        for path in created:
            cli.print(f"  + {workspace.relative(path)}")
    else:
        cli.print(_("Workspace at {home} already complete; nothing changed").format(home=home))
    return 0


def run_demo(args: argparse.Namespace, cli: Cli) -> int:
    home = Path(cli.home_option).expanduser().resolve() if cli.home_option else None
    workspace, created = create_demo(home)
    if created:
        cli.print(_("Demo workspace made at {home}").format(home=workspace.home))
    else:
        cli.print(_("Opening the demo workspace at {home}").format(home=workspace.home))
    cli.home_option = str(workspace.home)
    return open_app(args, cli)


def open_app(args: argparse.Namespace, cli: Cli) -> int:
    """Open the workspace. Until the terminal UI lands this prints the drafts overview."""
    from publisher.cli.drafts import print_overview

    cli.print(_("Workspace: {home}").format(home=cli.context().workspace.home))
    return print_overview(cli)
