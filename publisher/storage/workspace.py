"""The workspace folder: where it is, its settings and its accounts file.

Every path the tool uses is resolved here and nowhere else.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomlkit

from publisher.domain.accounts import (
    DEFAULT_MAX_LATENESS_MINUTES,
    Account,
    check_account_id,
    make_account,
)
from publisher.domain.drafts import is_media_path
from publisher.domain.errors import UserError
from publisher.domain.freshness import (
    DEFAULT_EXPLORE,
    DEFAULT_HALF_LIFE,
    parse_span,
    parse_urgency,
)
from publisher.domain.locales import normalize_locale
from publisher.domain.notifications import NotifySettings, parse_notify
from publisher.domain.people import People, parse_people
from publisher.domain.remedies import Fix, Remedy
from publisher.i18n import _, normalize_ui_language
from publisher.storage.atomic import write_atomic
from publisher.storage.paths import leads_inside, real_path
from publisher.storage.tomlfile import LineIndex, parse_toml, read_text

HOME_VARIABLE = "PUBLISHER_HOME"
SETTINGS_FILE = "publisher.toml"
ACCOUNTS_FILE = "accounts.toml"
DEMO_MARKER = ".demo"
# In an outbox account's folder: the account refuses every post, this file's text
# saying why (publisher.platforms.outbox).
OUTBOX_REFUSAL = "refuse.txt"
# Link cards' images, named by their SHA-256: read at scheduling, sent at flush time.
CARDS_FOLDER = "media/.cards"
# Subtitles made from others (Serbian Latin from Cyrillic), named by their SHA-256.
SUBTITLES_FOLDER = "media/.subtitles"
_EXTENSION = re.compile(r"[a-z0-9]{1,8}")

SETTINGS_TEMPLATE = """\
# publisher settings. See README.md, "The workspace".
source_locale = "sq"          # the locale drafts are written in first
ui_locale = "en"              # the interface language: en, sq, sr or sr-Latn
timezone = "Europe/Belgrade"  # your own time zone (Kosovo uses Europe/Belgrade)
"""

ACCOUNTS_TEMPLATE = """\
# Accounts and audiences. No secrets here, ever: secrets live in the keyring
# ('publisher accounts login ID'). Add accounts with 'publisher accounts add'.
"""


def default_home() -> Path:
    from platformdirs import user_data_path

    return user_data_path("publisher", appauthor=False)


def demo_root() -> Path:
    """Where ``publisher demo`` makes its workspaces (one folder per demo, by time)."""
    return default_home().parent / "publisher-demo"


def latest_demo() -> Path | None:
    """The newest demo workspace under :func:`demo_root`, if any (their names sort by
    the time they were made)."""
    try:
        folders = sorted((p for p in demo_root().iterdir() if p.is_dir()), reverse=True)
    except OSError:
        return None
    return next((folder for folder in folders if is_demo(Workspace(folder))), None)


def resolve_home(option: str | None, environ: Mapping[str, str] | None = None) -> Path:
    """``--home`` first, then ``$PUBLISHER_HOME``, then the user data folder."""
    environ = os.environ if environ is None else environ
    if option:
        return Path(option).expanduser().resolve()
    if environ.get(HOME_VARIABLE):
        return Path(environ[HOME_VARIABLE]).expanduser().resolve()
    return default_home()


@dataclass(frozen=True)
class Settings:
    source_locale: str = "sq"
    ui_locale: str = "en"
    timezone: str = "Europe/Belgrade"
    # [approval] and [people]: the approval steps, their people and the translators.
    people: People = field(default_factory=People)
    # [schedule]: the share of posts that may explore, the default half-life of a post
    explore: float = DEFAULT_EXPLORE
    half_life: timedelta = DEFAULT_HALF_LIFE
    # [campaigns.NAME] urgency = ...: (campaign name folded to lower case, half-life)
    campaign_urgency: tuple[tuple[str, timedelta], ...] = ()
    # [notify]: the channels that tell people what waits for them.
    notify: NotifySettings = field(default_factory=NotifySettings)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def urgency_of(self, campaign: str | None) -> timedelta | None:
        """The campaign's own half-life, if publisher.toml gives one."""
        name = (campaign or "").casefold()
        return next((span for key, span in self.campaign_urgency if key == name), None)


def check_timezone(name: str, where: str | None = None) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        hint = _("use an IANA name such as Europe/Belgrade")
        if name.lower().endswith("pristina"):
            hint = _("Kosovo uses the IANA zone Europe/Belgrade (CET); "
                     "IANA has no Europe/Pristina")
        raise UserError(
            _("unknown time zone {name!r}").format(name=name), where=where, hint=hint
        ) from None
    return name


@dataclass(frozen=True)
class Workspace:
    home: Path

    @property
    def settings_path(self) -> Path:
        return self.home / SETTINGS_FILE

    @property
    def accounts_path(self) -> Path:
        return self.home / ACCOUNTS_FILE

    @property
    def drafts_dir(self) -> Path:
        return self.home / "drafts"

    @property
    def media_dir(self) -> Path:
        return self.home / "media"

    @property
    def queue_path(self) -> Path:
        return self.home / "queue.sqlite3"

    @property
    def outbox_dir(self) -> Path:
        return self.home / "outbox"

    @property
    def lock_path(self) -> Path:
        return self.home / ".flush.lock"

    @property
    def metrics_lock_path(self) -> Path:
        """Held by ``metrics collect`` (never the flush's: reading counts holds no post)."""
        return self.home / ".metrics.lock"

    @property
    def drafts_lock_path(self) -> Path:
        """Held by every writer of a draft file from its read to its rename."""
        return self.home / ".drafts.lock"

    @property
    def journal_path(self) -> Path:
        """What was published, append-only, beside the queue (survives a lost queue)."""
        return self.home / "journal.jsonl"

    @property
    def backups_dir(self) -> Path:
        return self.home / "backups"

    def backup_file(self, name: str) -> Path:
        """``backups/<name>``, the folder made if it is missing."""
        self.backups_dir.mkdir(exist_ok=True)
        return self.backups_dir / name

    def exists(self) -> bool:
        return self.settings_path.is_file()

    def own_files(self) -> tuple[Path, ...]:
        """The files the tool keeps at the top of the workspace (SQLite's companions too)."""
        queue = self.queue_path
        return (
            self.settings_path, self.accounts_path, queue,
            queue.with_name(queue.name + "-wal"), queue.with_name(queue.name + "-shm"),
            queue.with_name(queue.name + "-journal"), self.lock_path, self.journal_path,
            self.drafts_lock_path, self.metrics_lock_path,
        )

    def own_folders(self) -> tuple[Path, ...]:
        return (self.drafts_dir, self.media_dir, self.outbox_dir, self.backups_dir)

    def check_output_path(self, path: Path) -> Path:
        """Refuse an output file (``--out``) that would overwrite the workspace itself.

        The path is resolved (symlinks included) first, so a link pointing at the
        queue is refused like the queue. Returns the path as given.
        """
        real = Path(os.path.realpath(path))
        home = Path(os.path.realpath(self.home))
        owned = {Path(os.path.realpath(own)) for own in self.own_files()}
        folders = [Path(os.path.realpath(folder)) for folder in self.own_folders()]
        if real in owned or real == home or any(real.is_relative_to(f) for f in folders):
            raise UserError(
                _("refusing to write over the workspace's own files"),
                where=str(path),
                hint=_("pick another file name or folder"),
            )
        return path

    def write_output(self, path: Path, data: bytes | str) -> None:
        """Write a file the person named (``--out``) atomically; never over the workspace's
        own files. A file system's refusal is a UserError naming the file."""
        self.check_output_path(path)
        try:
            write_atomic(path, data)
        except OSError as error:
            raise UserError(_("cannot write the file: {error}").format(
                error=error.strerror or error), where=str(path)) from None

    def media_file(self, relative: str, where: str | None = None,
                   field: str = "media.file") -> Path:
        """The real path of a draft's media file (an image, a video, subtitles): a
        regular file inside ``media/``.

        The flush uploads this file to the world, so the path is resolved
        (symlinks included) and must stay inside the workspace's media/ folder,
        which itself must stay inside the workspace. Anything else (an absolute
        path, '..', a link leading out, a folder, a fifo) is a UserError at
        ``where`` (the draft file) naming the draft's ``field``.
        """

        def refuse(message: str, **values: object) -> UserError:
            return UserError(
                message.format(field=field, file=relative, **values), where=where,
                hint=_('put the file in the media/ folder and write its path as "media/NAME"'),
            )

        if not is_media_path(relative):
            raise refuse(_("{field} {file!r} is not in the workspace's media/ folder"))
        path = self.home / relative
        if not leads_inside(self.media_dir, self.home) or not leads_inside(path, self.media_dir):
            raise refuse(_("{field} {file!r} leads out of the workspace's media/ folder"))
        real = real_path(path)
        try:
            mode = os.stat(real).st_mode
        except FileNotFoundError:
            raise refuse(_("{field} {file!r} does not exist")) from None
        except OSError as error:
            raise refuse(_("{field} {file!r} cannot be read: {error}"),
                         error=error.strerror or error) from None
        if not stat.S_ISREG(mode):
            raise refuse(_("{field} {file!r} is not a regular file"))
        return real

    def keep_card_image(self, data: bytes, extension: str) -> str:
        """Keep a link card's image under ``media/.cards/``, named by its SHA-256, and
        return its path as a draft would write it. Written once (atomically): every
        item whose card shows the same image shares the file."""
        if not _EXTENSION.fullmatch(extension):
            raise ValueError(f"not an image extension: {extension!r}")
        return self._keep_by_hash(CARDS_FOLDER, data, extension)

    def keep_subtitles(self, data: bytes, extension: str) -> str:
        """Keep subtitles made by the tool under ``media/.subtitles/``, named by their
        SHA-256 (as :meth:`keep_card_image`); returns the path a draft would write."""
        if extension not in ("srt", "vtt"):
            raise ValueError(f"not a subtitle extension: {extension!r}")
        return self._keep_by_hash(SUBTITLES_FOLDER, data, extension)

    def _keep_by_hash(self, folder: str, data: bytes, extension: str) -> str:
        relative = f"{folder}/{hashlib.sha256(data).hexdigest()}.{extension}"
        path = self.home / relative
        if not path.is_file():
            if leads_inside(self.media_dir, self.home):
                path.parent.mkdir(parents=True, exist_ok=True)
            if not leads_inside(path.parent, self.media_dir):
                raise UserError(_("{folder} leads out of the workspace's media/ folder")
                                .format(folder=folder), where=str(self.home))
            write_atomic(path, data)
        return relative

    def relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.home))
        except ValueError:
            return str(path)


def init_workspace(home: Path) -> tuple[Workspace, list[Path]]:
    """Create the workspace files that are missing; never touch existing ones."""
    workspace = Workspace(home)
    created: list[Path] = []
    if home.exists() and not home.is_dir():
        raise UserError(_("not a folder"), where=str(home))
    home.mkdir(parents=True, exist_ok=True)
    for folder in (workspace.drafts_dir, workspace.media_dir):
        if not folder.exists():
            folder.mkdir()
            created.append(folder)
    for path, template in (
        (workspace.settings_path, SETTINGS_TEMPLATE),
        (workspace.accounts_path, ACCOUNTS_TEMPLATE),
    ):
        if not path.exists():
            write_atomic(path, template)
            created.append(path)
    return workspace, created


def is_demo(workspace: Workspace) -> bool:
    """Whether ``publisher demo`` made this workspace."""
    return (workspace.home / DEMO_MARKER).exists()


def make_demo(workspace: Workspace, media: Iterable[Path]) -> None:
    """Mark a new workspace as the demo's, with copies of the sample ``media`` files."""
    for source in media:
        write_atomic(workspace.media_dir / source.name, source.read_bytes())
    write_atomic(workspace.home / DEMO_MARKER, "This workspace was made by 'publisher demo'.\n")


@contextlib.contextmanager
def outbox_refusing(workspace: Workspace, account_id: str, reason: str) -> Iterator[None]:
    """While inside, the outbox account ``account_id`` refuses every post with
    ``reason`` (its refusal file, see the outbox platform): the demo's failed post."""
    refusal = workspace.outbox_dir / account_id / OUTBOX_REFUSAL
    refusal.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(refusal, reason + "\n")
    try:
        yield
    finally:
        refusal.unlink(missing_ok=True)


def open_workspace(home: Path) -> Workspace:
    workspace = Workspace(home)
    if not workspace.exists():
        demo = latest_demo()
        raise UserError(
            _("no workspace here"),
            where=str(home),
            hint=_("the demo's workspace is {folder}").format(folder=demo) if demo else None,
            remedy=Remedy(Fix.INIT_WORKSPACE, home=str(home)),
        )
    return workspace


def load_settings(workspace: Workspace) -> Settings:
    where = workspace.relative(workspace.settings_path)
    text = read_text(workspace.settings_path, where)
    data = parse_toml(text, where)
    lines = LineIndex(text)

    def at(*keys: str) -> str:
        line = lines(*keys)
        return f"{where}:{line}" if line else where

    known = ("source_locale", "ui_locale", "timezone")
    tables = ("approval", "people", "schedule", "campaigns", "notify")
    for key in data:
        if key not in known + tables:
            raise UserError(
                _("unknown setting {key!r}").format(key=key),
                where=at(key),
                hint=_("known settings: {names}").format(names=", ".join(known + tables)),
            )
    people = parse_people(data.get("approval"), data.get("people"), at)
    notify = parse_notify(data.get("notify"), at)
    defaults = Settings()
    values = {key: data.get(key, getattr(defaults, key)) for key in known}
    for key, value in values.items():
        if not isinstance(value, str):
            raise UserError(_("{key} must be a text in quotes").format(key=key), where=at(key))
    try:
        source = normalize_locale(values["source_locale"])
    except UserError as error:
        raise UserError(error.message, where=at("source_locale"), hint=error.hint,
                        remedy=error.remedy) from None
    ui = normalize_ui_language(values["ui_locale"])
    if ui is None:
        raise UserError(
            _("unknown interface language {name!r}").format(name=values["ui_locale"]),
            where=at("ui_locale"),
            hint=_("use en, sq, sr or sr-Latn"),
        )
    explore, half_life = _schedule_settings(data.get("schedule", {}), lines, where)
    return Settings(source, ui, check_timezone(values["timezone"], at("timezone")), people,
                    explore, half_life, _campaign_settings(data.get("campaigns", {}), lines, where),
                    notify)


def _table(value: object, path: tuple[str, ...], known: tuple[str, ...], lines: LineIndex,
           where: str) -> dict:
    """A settings table, its keys checked, or a UserError at its line."""
    line = lines(*path)
    here = f"{where}:{line}" if line else where
    if not isinstance(value, dict):
        raise UserError(_("[{name}] must be a table").format(name=".".join(path)), where=here)
    for key in value:
        if key not in known:
            line = lines(*path, key)
            raise UserError(
                _("unknown setting {key!r}").format(key=".".join((*path, key))),
                where=f"{where}:{line}" if line else where,
                hint=_("known settings: {names}").format(names=", ".join(known)))
    return value


def _schedule_settings(value: object, lines: LineIndex, where: str) -> tuple[float, timedelta]:
    """``[schedule] explore = 0.1`` (0 turns exploring off), ``half_life = "2d"``."""
    table = _table(value, ("schedule",), ("explore", "half_life"), lines, where)

    def at(key: str) -> str:
        line = lines("schedule", key)
        return f"{where}:{line}" if line else where

    explore = table.get("explore", DEFAULT_EXPLORE)
    if isinstance(explore, bool) or not isinstance(explore, int | float) \
            or not 0 <= explore <= 1:
        raise UserError(_("schedule.explore must be a number from 0 to 1"), where=at("explore"),
                        hint=_("0.1 lets a tenth of the posts explore; 0 turns it off"))
    half_life = DEFAULT_HALF_LIFE
    if "half_life" in table:
        try:
            half_life = parse_span(table["half_life"])
        except UserError as error:
            raise UserError(f"schedule.half_life: {error.message}", where=at("half_life"),
                            hint=error.hint) from None
    return float(explore), half_life


def _campaign_settings(value: object, lines: LineIndex,
                       where: str) -> tuple[tuple[str, timedelta], ...]:
    """``[campaigns.NAME] urgency = "3d"`` (or news, normal, evergreen)."""
    campaigns = _table(value, ("campaigns",), tuple(value) if isinstance(value, dict) else (),
                       lines, where)
    found = []
    for name, table in campaigns.items():
        table = _table(table, ("campaigns", name), ("urgency",), lines, where)
        if "urgency" not in table:
            continue
        try:
            urgency = parse_urgency(table["urgency"])
        except UserError as error:
            line = lines("campaigns", name, "urgency")
            raise UserError(f"campaigns.{name}.urgency: {error.message}",
                            where=f"{where}:{line}" if line else where,
                            hint=error.hint) from None
        if urgency is not None:
            found.append((name.strip().lstrip("#").casefold(), urgency))
    return tuple(found)


class AccountsFile:
    """accounts.toml: read with line-aware errors, written keeping comments and order."""

    ACCOUNT_FIELDS = (
        "platform",
        "handle",
        "api_base",
        "locales",
        "layout",
        "audience",
        "min_gap",
        "max_per_day",
        "max_lateness",
        "imitates",
        "media_url",
    )

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.path = workspace.accounts_path
        self.where = workspace.relative(self.path)

    def _text(self) -> str:
        if not self.path.exists():
            return ""
        return read_text(self.path, self.where)

    def load(self) -> dict[str, Account]:
        text = self._text()
        data = parse_toml(text, self.where)
        lines = LineIndex(text)
        tables = data.get("accounts", {})
        if not isinstance(tables, dict):
            raise UserError(_("[accounts] must be a table"), where=self.where)
        return {
            account_id: self._account(account_id, table, lines)
            for account_id, table in tables.items()
        }

    def _account(self, account_id: str, table: object, lines: LineIndex) -> Account:
        line = lines("accounts", account_id)
        where = f"{self.where}:{line}" if line else self.where
        try:  # first: the id is shown in every message below
            check_account_id(account_id)
        except UserError as error:
            raise UserError(error.message, where=where, hint=error.hint,
                            remedy=error.remedy) from None
        if not isinstance(table, dict):
            raise UserError(_("accounts.{id} must be a table").format(id=account_id), where=where)
        for key in table:
            if key not in self.ACCOUNT_FIELDS:
                raise UserError(
                    _("accounts.{id}.{key}: unknown field").format(id=account_id, key=key),
                    where=where,
                    hint=_("known fields: {names}").format(names=", ".join(self.ACCOUNT_FIELDS)),
                )
        try:
            return make_account(
                account_id,
                table.get("platform", ""),
                locales=table.get("locales", []),
                layout=table.get("layout", "separate"),
                handle=table.get("handle"),
                api_base=table.get("api_base"),
                audience=table.get("audience"),
                min_gap_minutes=table.get("min_gap", 0),
                max_per_day=table.get("max_per_day"),
                max_lateness_minutes=table.get("max_lateness", DEFAULT_MAX_LATENESS_MINUTES),
                imitates=table.get("imitates"),
                media_url=table.get("media_url"),
            )
        except (UserError, TypeError, ValueError) as error:
            message = error.message if isinstance(error, UserError) else str(error)
            hint = error.hint if isinstance(error, UserError) else None
            remedy = error.remedy if isinstance(error, UserError) else None
            raise UserError(f"accounts.{account_id}: {message}", where=where, hint=hint,
                            remedy=remedy) from None

    def _document(self) -> tomlkit.TOMLDocument:
        return tomlkit.parse(self._text())

    def _accounts_table(self, document: tomlkit.TOMLDocument) -> tomlkit.items.Table:
        if "accounts" not in document:
            document.add("accounts", tomlkit.table(is_super_table=True))
        return document["accounts"]

    def add(self, account: Account) -> None:
        self.load()  # refuse to write into a broken file
        document = self._document()
        accounts = self._accounts_table(document)
        if account.id in accounts:
            raise UserError(
                _("account {id!r} exists").format(id=account.id),
                where=self.where,
                hint=_("remove it first, or pick another id"),
            )
        accounts[account.id] = account_table(account)
        write_atomic(self.path, tomlkit.dumps(document))

    def replace(self, account: Account) -> None:
        """Rewrite one account's fields, keeping its place and comments."""
        if account.id not in self.load():
            raise_unknown_account(account.id, self.load())
        document = self._document()
        table = document["accounts"][account.id]
        fresh = account_table(account)
        for key in [k for k in table if k not in fresh]:
            del table[key]
        for key, value in fresh.items():
            table[key] = value
        write_atomic(self.path, tomlkit.dumps(document))

    def remove(self, account_id: str) -> None:
        if account_id not in self.load():
            raise_unknown_account(account_id, self.load())
        document = self._document()
        del document["accounts"][account_id]
        write_atomic(self.path, tomlkit.dumps(document))


def account_table(account: Account) -> tomlkit.items.Table:
    table = tomlkit.table()
    table["platform"] = account.platform
    if account.handle:
        table["handle"] = account.handle
    if account.api_base:
        table["api_base"] = account.api_base
    table["locales"] = list(account.locales)
    table["layout"] = account.layout
    if account.audience:
        table["audience"] = account.audience
    if account.min_gap_minutes:
        table["min_gap"] = account.min_gap_minutes
    if account.max_per_day:
        table["max_per_day"] = account.max_per_day
    if account.max_lateness_minutes != DEFAULT_MAX_LATENESS_MINUTES:
        table["max_lateness"] = account.max_lateness_minutes
    if account.imitates:
        table["imitates"] = account.imitates
    if account.media_url:
        table["media_url"] = account.media_url
    return table


def raise_unknown_account(account_id: str, accounts: Mapping[str, Account]) -> None:
    known = ", ".join(sorted(accounts)) or _("none yet")
    raise UserError(
        _("unknown account {id!r}").format(id=account_id),
        hint=_("known accounts: {known}").format(known=known),
    )
