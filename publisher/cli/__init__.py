"""The ``publisher`` command: global options, sub-commands and exit codes.

Each command group lives in its own module with a ``register`` function. The
CLI only parses, calls services and prints; it never touches SQL or HTTP.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import traceback
from collections.abc import Sequence
from importlib import import_module
from typing import NoReturn

from publisher import __version__
from publisher.cli.common import Cli
from publisher.domain.errors import UserError
from publisher.i18n import _, normalize_ui_language, set_language

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_RETRY = 3
EXIT_NEEDS_PERSON = 4
EXIT_LOCKED = 75
EXIT_INTERNAL = 70  # sysexits' EX_SOFTWARE: a bug, not the person's mistake


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors in the tool's style (exit code 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse quotes the person's arguments, control characters and all.
        self.exit(EXIT_USAGE,
                  f"publisher: error: {one_line(message)} (see '{self.prog} --help')\n")


def _language_option(value: str) -> str:
    tag = normalize_ui_language(value)
    if tag is None:
        raise argparse.ArgumentTypeError(_("use sq, en, sr or sr-Latn"))
    return tag


# The command modules in --help order, and the commands each one registers. A run
# imports only the module of its command: the cron job's flush, every minute, need not
# load the translators' PO code, the audiences' solver or the accounts' logins.
# tests/test_cli_lazy.py checks this table against what the modules register.
COMMAND_MODULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("workspace", ("init", "demo")),
    ("accounts", ("accounts",)),
    ("drafts", ("drafts",)),
    ("translations", ("translations",)),
    ("queue", ("schedule", "queue", "backup", "flush", "pause", "resume", "publish-now",
               "retry", "cancel")),
    ("audiences", ("audiences", "blackout", "slots")),
    ("calendar", ("reschedule",)),
    ("crisis_templates", ("crisis",)),
    ("crisis", ("retract", "correct", "resolve")),
    ("people", ("whoami", "history")),
    ("results", ("metrics", "report")),
    ("campaign", ("campaign",)),
    ("notify", ("notify",)),
)


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", metavar="DIR", help=_("the workspace folder"))
    parser.add_argument(
        "--lang", type=_language_option, metavar="LANG",
        help=_("interface language: sq, en, sr or sr-Latn"),
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help=_("say more"))
    parser.add_argument("--version", action="version", version=f"publisher {__version__}")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser. Given the arguments, only the module of the command
    they name is imported and registered; the other commands are placeholders that
    keep their names (for argparse's "invalid choice" list) and that no parse of
    these arguments reaches. Without arguments, every command is built."""
    modules = [module for module, _names in COMMAND_MODULES]
    if argv is not None:
        modules = _modules_for(argv, modules)
    parser = _Parser(
        prog="publisher",
        description=_("Write, translate, schedule and publish social posts in sq, en and sr."),
    )
    _add_global_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module, names in COMMAND_MODULES:
        if module in modules:
            import_module(f"publisher.cli.{module}").register(commands)
        else:
            for name in names:
                commands.add_parser(name, add_help=False)
    return parser


class _Undecided(Exception):
    """The arguments do not plainly name a command (help, version, a usage error)."""


class _Probe(_Parser):
    """The top level of the command line, silent: anything but a plain parse raises."""

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise _Undecided

    def error(self, message: str) -> NoReturn:
        raise _Undecided

    def _print_message(self, message: str, file: object = None) -> None:
        pass


def _modules_for(argv: Sequence[str], every: list[str]) -> list[str]:
    """The command modules a parse of ``argv`` needs: the named command's, none without
    a command, all of them when in doubt (top-level help prints every command)."""
    probe = _Probe(prog="publisher")
    _add_global_options(probe)
    # What the subparsers action is to argparse: a positional of nargs PARSER, optional.
    probe.add_argument("command", nargs=argparse.PARSER).required = False
    try:
        known, _rest = probe.parse_known_args(argv)
    except _Undecided:
        return every
    if not known.command:
        return []
    for module, names in COMMAND_MODULES:
        if known.command[0] in names:
            return [module]
    return every  # not a command: argparse lists the choices


def _early_language(argv: Sequence[str]) -> str | None:
    """The --lang value if given, so that help texts come out translated."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return normalize_ui_language(argv[index + 1])
        if arg.startswith("--lang="):
            return normalize_ui_language(arg.split("=", 1)[1])
    return None


# What a request line may carry that is a secret: Telegram's bot token in the path, and
# tokens, codes and app secrets in a query string (Meta's token exchanges, OAuth).
_SECRET_IN_URL = re.compile(
    r"(/bot)\d+:[\w-]+"
    r"|((?:access_token|input_token|fb_exchange_token|client_secret|refresh_token|code|"
    r"password|token)=)[^&\s\"']+",
    re.IGNORECASE,
)


def _mask_secrets(text: str) -> str:
    return _SECRET_IN_URL.sub(lambda m: (m.group(1) or m.group(2)) + "***", text)


class _RedactSecrets(logging.Filter):
    """Masks secrets in every log line (-vv shows urllib3's request lines, URLs and all)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _mask_secrets(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def _keep_secrets_out_of_logs() -> None:
    # urllib3 logs each request's method, path and query at DEBUG (-vv): never unredacted.
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _RedactSecrets) for f in handler.filters):
            handler.addFilter(_RedactSecrets())


def one_line(text: str, most: int = 500) -> str:
    """An error text as the one line the contract promises: line breaks folded (all
    of them: str.split knows \\x1e and U+2028 too), other characters a terminal
    would act on escaped (ESC, a right-to-left override), secrets masked, and cut
    short (a message may quote a whole field of the input)."""
    text = " ".join(_mask_secrets(text).split())
    text = "".join(char if char.isprintable() else ascii(char)[1:-1] for char in text)
    return text if len(text) <= most else text[: most - 1] + "…"


def _check_arguments(argv: Sequence[str]) -> None:
    """Arguments Python could not decode (a terminal in another encoding) carry lone
    surrogates, which no file or output can hold: refuse them first, in one line."""
    for arg in argv:
        if any("\ud800" <= char <= "\udfff" for char in arg):
            raise UserError(_("argument {arg} is not UTF-8 text").format(arg=ascii(arg)),
                            hint=_("set the terminal to UTF-8"))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    cli = Cli()
    try:
        return _run(argv, cli)
    except UserError as error:
        from publisher.cli.remedies import describe

        cli.error(one_line(describe(error)))
        return EXIT_USAGE
    except KeyboardInterrupt:
        cli.error(_("interrupted"))
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:
        # A file or folder the system refuses (permissions, a full disk, a folder where a
        # file was meant): one line naming it, not a traceback.
        logging.getLogger("publisher").debug("system error", exc_info=True)
        where = error.filename
        reason = error.strerror or str(error)
        cli.error(one_line(f"{where}: {reason}" if where else reason))
        return EXIT_USAGE
    except Exception as error:
        # A fault nobody foresaw is a bug: one line all the same (cron mails it), with
        # its own exit code so that a script tells it from a mistake of the person (2);
        # the traceback, which may quote the input, only when asked for with -vv.
        if cli.verbose >= 2:
            cli.err.write(_mask_secrets("".join(traceback.format_exception(error))))
        cli.error(one_line(_("internal error: {kind}: {message}; please report it, "
                             "details with -vv").format(kind=type(error).__name__,
                                                        message=error)))
        return EXIT_INTERNAL


def _run(argv: list[str], cli: Cli) -> int:
    _check_arguments(argv)
    early = _early_language(argv)
    if early:
        set_language(early)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    levels = {0: logging.WARNING, 1: logging.INFO}
    logging.basicConfig(
        level=levels.get(args.verbose, logging.DEBUG),
        format="publisher: %(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    _keep_secrets_out_of_logs()
    cli.home_option, cli.language, cli.verbose = args.home, args.lang, args.verbose
    handler = getattr(args, "handler", None)
    if handler is None:
        from publisher.cli.workspace import open_app

        return open_app(args, cli)
    return handler(args, cli)
