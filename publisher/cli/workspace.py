"""``publisher init``, ``publisher demo`` and ``publisher`` alone."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from publisher.cli.common import Cli
from publisher.cli.queue import moment
from publisher.i18n import _
from publisher.services.workspace import create_demo, create_workspace, fill_demo_queue


def register(commands: argparse._SubParsersAction) -> None:
    init = commands.add_parser("init", help=_("make a workspace"))
    init.add_argument("dir", nargs="?", help=_("the folder (default: --home or the usual place)"))
    init.set_defaults(handler=run_init)

    demo = commands.add_parser("demo", help=_("make an offline demo workspace and open it"))
    demo.add_argument("--now", type=moment, metavar="RFC3339",
                      help=_("the moment the sample drafts' dates are moved after"))
    demo.add_argument("--empty-queue", action="store_true",
                      help=_("leave the new demo's queue empty (by default it holds a few "
                             "sent, failed and queued posts)"))
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
    now = args.now or datetime.now(UTC)
    workspace, created = create_demo(home, now)
    if created:
        if not args.empty_queue:
            fill_demo_queue(workspace, now)
        cli.print(_("Demo workspace made at {home}").format(home=workspace.home))
    else:
        cli.print(_("Opening the demo workspace at {home}").format(home=workspace.home))
    cli.home_option = str(workspace.home)
    return open_app(args, cli)


def open_app(args: argparse.Namespace, cli: Cli) -> int:
    """Open the terminal UI on the workspace; print the drafts overview instead when
    there is no terminal (cron, a pipe, the tests)."""
    import sys

    context = cli.context()
    if not (_is_terminal(cli.out) and _is_terminal(sys.stdin)):
        from publisher.cli.drafts import print_overview

        cli.print(_("Workspace: {home}").format(home=context.workspace.home))
        return print_overview(cli)
    from publisher.tui.app import make_app

    app = make_app(context.workspace.home, language=cli.language)
    app.run()
    return app.return_code or 0


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
