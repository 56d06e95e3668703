"""Results: what the sent posts achieved (``publisher report`` on screen).

One row per account and language, so that which language does better on which
account (the diaspora question) reads down a column; under the table, the selected
account's realised week beside the profile it is scheduled by, and its best and
latest posts in that language. Numbers are interactions (likes, reposts, replies,
quotes) at the reference age, as in the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Static

from publisher.i18n import BABEL_LOCALE, _, current_language, ngettext
from publisher.services.context import Context
from publisher.services.report import AccountWeek, PostResult, Report, Summary, build_report
from publisher.tui.base import N_, format_short
from publisher.tui.table_screen import Column, TableScreen
from publisher.tui.widgets.heatmap import HeatMap
from publisher.tui.widgets.keybar import KeyBar

SHOWN_POSTS = 3  # best and latest posts under the table, each


def number(value: float | None) -> str:
    """A mean in the interface language's digits ("12.5", "12,5"); "–" for none."""
    from babel.numbers import format_decimal

    if value is None:
        return "–"
    return format_decimal(value, format="#,##0.#", locale=BABEL_LOCALE[current_language()])


def against(mean: float | None, baseline: float | None) -> Text:
    """A language's mean against its account's: "+35 %" in green, "−20 %" in red."""
    if mean is None or not baseline:
        return Text("")
    change = round((mean / baseline - 1) * 100)
    style = "green" if change > 0 else "red" if change < 0 else ""
    return Text(f"{change:+d} %".replace("-", "−"), style=style)


def realised(week: AccountWeek) -> list[list[float | None]]:
    """The realised mean per hour scaled to 0..1 (None where nothing was sent)."""
    top = max((v for row in week.mean_interactions for v in row if v is not None), default=0)
    return [[None if v is None else (v / top if top else 0.0) for v in row]
            for row in week.mean_interactions]


class ResultsScreen(TableScreen[Report]):
    TITLE_TEXT = N_("Results")
    AUTO_FOCUS = "#results-table"
    LIVE = True
    TABLE = "results-table"
    COLUMNS = (
        Column("account", N_("Account"), min_width=12, max_width=28),
        Column("language", N_("Language"), min_width=6),
        Column("posts", N_("Posts"), decides=True),
        Column("mean", N_("Interactions per post"), decides=True),
        Column("against", N_("Against the account"), min_width=8),
        Column("best", N_("Best hour"), fill=True, min_width=10),
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "reload", N_("Reload"), show=False, id="results.reload",
                tooltip=N_("Read the results again")),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        empty = Static("", id="results-empty", classes="hint")
        empty.display = False
        yield empty
        yield self.new_table()
        with Horizontal(id="results-weeks"):
            yield HeatMap(id="results-realised")
            yield HeatMap(id="results-profile")
        yield Static("", id="results-posts", classes="hint")
        yield KeyBar()

    def read(self, context: Context) -> Report:
        return build_report(context)

    def show(self) -> None:
        report = self.data
        if report is None:
            return
        # An account measured in one language only has nothing to compare it with.
        languages: dict[str | None, int] = {}
        for summary in report.by_account_locale:
            languages[summary.account_id] = languages.get(summary.account_id, 0) + 1
        accounts = {s.account_id: s for s in report.by_account
                    if languages.get(s.account_id, 0) > 1}
        rows = [(self._key(s), self._cells(s, accounts.get(s.account_id), report))
                for s in report.by_account_locale]
        self.show_rows(rows)
        empty = self.query_one("#results-empty", Static)
        empty.display = not rows
        self.query_one("#results-weeks").display = bool(rows)
        empty.update(_("No results yet: 'publisher metrics collect' reads the counts of sent "
                       "posts (run it hourly from cron, see the README); {key} reads them "
                       "again.").format(key="ctrl+l"))
        self._selection()

    @staticmethod
    def _key(summary: Summary) -> str:
        return f"{summary.account_id}\t{summary.locale}"

    def _cells(self, summary: Summary, account: Summary | None,
               report: Report) -> list[object]:
        baseline = account.mean_interactions if account else None
        cells = {
            "account": summary.account_id or "", "language": summary.locale or "",
            "posts": str(summary.posts), "mean": number(summary.mean_interactions),
            "against": against(summary.mean_interactions, baseline),
            "best": self._best_hour(summary, report),
        }
        return [cells[column.key] for column in self.COLUMNS]

    @staticmethod
    def _best_hour(summary: Summary, report: Report) -> str:
        """The weekday and hour whose posts in this language did best on the account."""
        from publisher.tui.widgets.heatmap import day_names

        week = next((w for w in report.weeks if w.account_id == summary.account_id), None)
        posts = [p for p in _posts(report, summary) if p.interactions is not None]
        if week is None or not posts:
            return ""
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(week.timezone)
        best = max(posts, key=lambda p: (p.interactions or 0, -p.sent_at.timestamp()))
        local = best.sent_at.astimezone(zone)
        return f"{day_names()[local.weekday()]} {local:%H}h ({number(best.interactions)})"

    @on(DataTable.RowHighlighted, "#results-table")
    def _selection(self) -> None:
        """The selected row's account week beside its profile, and its posts."""
        report, key = self.data, self.selected_key()
        if report is None or key is None:
            return
        account_id, locale = key.split("\t", 1)
        summary = next(s for s in report.by_account_locale if self._key(s) == key)
        week = next((w for w in report.weeks if w.account_id == account_id), None)
        if week is not None:
            self.query_one("#results-realised", HeatMap).show(
                realised(week), _("{account}: interactions by hour ({zone})").format(
                    account=account_id, zone=week.timezone),
                legend=_("brighter: more interactions; ·: nothing sent"))
            profile = self.query_one("#results-profile", HeatMap)
            profile.display = week.profile is not None
            if week.profile is not None:
                profile.show(week.profile, _("the profile it is scheduled by ({audience})")
                             .format(audience=week.audience or "-"))
        self.query_one("#results-posts", Static).update(
            self._post_lines(_posts(report, summary), locale))

    def _post_lines(self, posts: Sequence[PostResult], locale: str) -> Text:
        text = Text()
        counted = [p for p in posts if p.interactions is not None]
        best = sorted(counted, key=lambda p: -(p.interactions or 0))[:SHOWN_POSTS]
        latest = list(reversed(posts))[:SHOWN_POSTS]
        text.append(ngettext("{n} post in {language}", "{n} posts in {language}",
                             len(posts)).format(n=len(posts), language=locale), style="bold")
        for title, chosen in ((_("best"), best), (_("latest"), latest)):
            if chosen:
                text.append(f"\n{title}: ", style="bold")
                text.append(" · ".join(self._post(p) for p in chosen))
        return text

    def _post(self, post: PostResult) -> str:
        when = format_short(post.sent_at, self.publisher.zone)
        gone = _(" (deleted)") if post.gone else ""
        return f"{post.draft_id}{gone} {when}: {number(post.interactions)}"

    def action_reload(self) -> None:
        self.reload()


def _posts(report: Report, summary: Summary) -> list[PostResult]:
    return [p for p in report.posts
            if p.account_id == summary.account_id and p.locale == summary.locale]
