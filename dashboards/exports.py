"""The columns of every table the dashboards export (CSV and XLSX), with the registries' masking."""

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from urllib.parse import quote

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import BooleanField, Case, CharField, Func, IntegerField, Value, When
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clock, crypto
from core.db import replica_reads
from core.masking import mask_mobile
from core.tabular import Column, _safe, table_response
from dashboards.selectors import DISPUTE_LABELS, RANK_COLUMNS
from roundtable.models import OPEN_STAGES, STEP_NUMBER, Issue, Meeting, Stage
from roundtable.permissions import villages_where_raiser_visible
from roundtable.workflow import stage_name


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def ranking_columns(unit_label) -> list[Column]:
    return [
        Column("unit", unit_label, lambda r: r["unit"].name if r["unit"] else _("Total")),
        *[Column(key, label) for key, label in RANK_COLUMNS],
        Column("rejected", _("rejected")),
        Column("merged", _("merged")),
        Column("withdrawn", _("withdrawn")),
        Column("rated_share", _("closed and rated %")),
        Column("cancelled", _("meetings cancelled")),
        Column("intended", _("funds intended (yuan)")),
        Column("councils", _("villages with a red advisory council")),
    ]


def step_columns() -> list[Column]:
    return [
        Column("step", _("step"), lambda r: f"{STEP_NUMBER[r['stage']]} {stage_name(r['stage'])}"),
        Column("n", _("steps finished")),
        Column("median", _("median days")),
        Column("p90", _("90th percentile days")),
        Column("within_share", _("finished in time %")),
    ]


def meeting_summary_columns() -> list[Column]:
    return [Column("figure", _("figure"), lambda r: r[0]), Column("value", _("value"), lambda r: r[1])]


def dispute_columns() -> list[Column]:
    return [
        Column("month", _("month"), lambda r: r["month"].strftime("%Y-%m")),
        *[Column(kind, label) for kind, label in DISPUTE_LABELS.items()],
        Column("total", _("total")),
    ]


def funds_columns() -> list[Column]:
    return [
        Column("label", _("source")),
        Column("intended", _("intended (yuan)")),
        Column("landed", _("landed (yuan)")),
        Column("share", _("landed %")),
    ]


def satisfaction_columns() -> list[Column]:
    return [Column("score", _("rating")), Column("n", _("ratings"))]


class LocalMinute(Func):
    """A moment as 'YYYY-MM-DD HH:MM' text in the portal's time zone, formatted by the database (parsing
    150,000 timestamps in Python costs more than the whole query). SQLite (development) shifts by the
    zone's current offset."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char({sql} AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI')", [*params, settings.TIME_ZONE]

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        minutes = int(timezone.localtime().utcoffset().total_seconds() // 60)
        return f"strftime('%%Y-%%m-%%d %%H:%%M', {sql}, %s)", [*params, f"{minutes:+d} minutes"]


class DaysSince(Func):
    """Whole days from a moment to now, computed by the database."""

    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"FLOOR(EXTRACT(EPOCH FROM (%s - {sql})) / 86400)::int", [clock.now(), *params]

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        now = clock.now().astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
        return f"CAST(julianday(%s) - julianday({sql}) AS INTEGER)", [now, *params]


class Stored(Func):
    """A column as stored, without its field's conversion: the raiser's number stays a token, decrypted
    only for the rows whose export shows it (none of an anonymous matter's, none of an erased one's)."""

    template = "%(expressions)s"
    output_field = CharField()


ISSUE_FIELDS = [
    "pk",
    "village_id",
    "village__township__name",
    "village__name",
    "group__name",
    "title",
    "category",
    "channel",
    "stage",
    "raiser_name",
    "is_anonymous",
]


def issue_values(issues):
    """The issue list's rows as plain tuples (ISSUE_FIELDS, then the stored number, the moments already
    formatted, the age and whether overdue), streamed from the database in chunks (no model objects, no
    dicts: a township's 50,000 issues export in about a second)."""
    now = clock.now()
    return (
        issues.annotate(
            mobile_token=Stored("raiser_mobile"),
            raised=LocalMinute("created_at"),
            due=LocalMinute("stage_due_at"),
            escalated=LocalMinute("escalated_at"),
            age=DaysSince("stage_entered_at"),
            late=Case(
                When(stage__in=list(OPEN_STAGES), stage_due_at__lt=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values_list(*ISSUE_FIELDS, "mobile_token", "raised", "due", "escalated", "age", "late")
        .iterator(chunk_size=5000)
    )


def issue_table(user) -> tuple[list[Column], Callable[[tuple], list]]:
    """The issue list's columns and a function turning one issue_values row into that row's cells.

    The raiser's name and number are whole only for the village's cadres, as on the issue page; others
    get the number masked as in the registries, and no name. Choice labels are translated once, and a row
    is built by one function rather than a lambda per cell, so that 50,000 issues export in about 2 s.
    """
    category, channel, stage = _labels(Issue.Category), _labels(Issue.Channel), _labels(Stage)
    visible = villages_where_raiser_visible(user)

    def cells(row: tuple) -> list:
        (pk, village_id, township, village, group, title, kind, how, at, name, anonymous, token) = row[:12]
        raised, due, escalated, age, late = row[12:]
        is_open = at in OPEN_STAGES
        mine = village_id in visible and not anonymous
        mobile = ""
        if token and not anonymous:
            mobile = crypto.decrypt(token) if mine else mask_mobile(crypto.decrypt(token))
        return [
            pk,
            safe_cell(township),
            safe_cell(village),
            safe_cell(group or ""),
            safe_cell(title),
            category.get(kind, kind),
            channel.get(how, how),
            stage.get(at, at),
            raised or "",
            (due or "") if is_open else "",
            age if is_open else "",
            yes if late else no,
            escalated or "",
            safe_cell(name) if mine else "",
            mobile,
        ]

    yes, no = str(_("yes")), str(_("no"))
    headers = [
        ("id", "#"),
        ("township", _("township")),
        ("village", _("village")),
        ("group", _("group or area")),
        ("title", _("title")),
        ("category", _("category")),
        ("channel", _("channel")),
        ("stage", _("stage")),
        ("raised", _("raised at")),
        ("due", _("stage due at")),
        ("age", _("days in the step")),
        ("overdue", _("overdue")),
        ("escalated", _("escalated at")),
        ("raiser", _("raiser's name")),
        ("mobile", _("raiser's mobile number")),
    ]
    columns = [Column(key, label, lambda row, n=n: row[n]) for n, (key, label) in enumerate(headers)]
    return columns, cells


def issue_response(user, issues, *, fmt: str, filename: str) -> HttpResponse:
    """The issue list as CSV (streamed) or XLSX: the cells of issue_table, in the list's order."""
    columns, cells = issue_table(user)
    if fmt == "csv":
        return csv_stream(
            columns=columns, rows=lambda: (cells(i) for i in issue_values(issues)), filename=filename
        )
    with whole_result_reads():
        return table_response(
            columns=columns, rows=(cells(i) for i in issue_values(issues)), fmt=fmt, filename=filename
        )


@contextmanager
def whole_result_reads():
    """Reads on the replica, in a transaction in which PostgreSQL plans a server-side cursor for the whole
    result rather than for its first rows (else it walks the index of every issue by date: 25 s instead of
    half a second for a township's 50,000 issues among a million)."""
    with replica_reads():
        alias = router.db_for_read(Issue)
        with transaction.atomic(using=alias):
            if connections[alias].vendor == "postgresql":
                with connections[alias].cursor() as cursor:
                    cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
            yield


class _Echo:
    def write(self, value):
        return value


def csv_stream(*, columns: list[Column], rows: Callable[[], Iterable[list]], filename: str):
    """A streamed CSV download (UTF-8 with a BOM) of rows whose cells are already safe.

    The rows are read while the response is sent, after the view has returned, so the generator opens its
    own replica_reads() block, and a transaction in which PostgreSQL plans the server-side cursor for the
    whole result rather than for its first rows (else it walks the index of every issue by date)."""

    def lines():
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow([c.header() for c in columns])
        with whole_result_reads():
            batch = []
            for row in rows():
                batch.append(writer.writerow(row))
                if len(batch) == 2000:
                    yield "".join(batch)
                    batch = []
            yield "".join(batch)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}.csv"
    return response


def csv_response(*, columns: list[Column], rows: Iterable[list], filename: str) -> HttpResponse:
    """A CSV download like table_response's (UTF-8 with a BOM), for rows whose cells are already safe."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([c.header() for c in columns])
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}.csv"
    return response


def safe_cell(text: str) -> str:
    """Free text as a spreadsheet should store it: never as a formula (core.tabular's one rule)."""
    return _safe(text) if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def meeting_columns() -> list[Column]:
    state = _labels(Meeting.State)
    return [
        Column("id", "#", lambda m: m.pk),
        Column("village", _("village"), lambda m: m.roundtable.village.name),
        Column("roundtable", _("roundtable"), lambda m: m.roundtable.name),
        Column("starts", _("starts at"), lambda m: _local(m.starts_at)),
        Column("place", _("place"), lambda m: m.place),
        Column("state", _("state"), lambda m: state.get(m.state, m.state)),
        Column("chair", _("chair"), lambda m: m.chair.name if m.chair else ""),
        Column("party", _("chair is a Party member"), lambda m: m.chair.is_party_member if m.chair else ""),
        Column("present", _("present"), lambda m: m.present),
        Column("recorded", _("attendance recorded"), lambda m: m.recorded),
        Column("items", _("agenda items"), lambda m: m.items),
    ]


def stage_columns() -> list[Column]:
    return [
        Column("step", _("step"), lambda r: f"{STEP_NUMBER[r['stage']]} {stage_name(r['stage'])}"),
        Column("open", _("open")),
        Column("overdue", _("overdue")),
    ]


def talent_columns() -> list[Column]:
    return [Column("label", _("skill or flag"), lambda r: r[0]), Column("n", _("talents"), lambda r: r[1])]


DASHBOARD_TABLES = ["ranking", "stages", "steps", "meetings", "satisfaction", "disputes", "funds", "talent"]


def dashboard_table(table: str, data: dict, *, unit_label) -> tuple[list[Column], list]:
    """The columns and rows of one of the dashboard's tables, exactly as the page shows them."""
    if table == "ranking":
        return ranking_columns(unit_label), [*data["rows"], data["total"]]
    if table == "stages":
        issues = data["issues"]
        rows = [
            {"stage": stage, "open": issues["by_stage"][stage], "overdue": issues["overdue_by_stage"][stage]}
            for stage in issues["by_stage"]
        ]
        return stage_columns(), rows
    if table == "steps":
        return step_columns(), data["steps"]
    if table == "meetings":
        return meeting_summary_columns(), meeting_summary(data["meetings"])
    if table == "satisfaction":
        distribution = data["ratings"]["distribution"]
        return satisfaction_columns(), [{"score": n, "n": distribution[n]} for n in range(1, 6)]
    if table == "disputes":
        return dispute_columns(), data["disputes"]
    if table == "funds":
        return funds_columns(), data["registry"].funds_by_source
    return talent_columns(), talent_summary(data["registry"].talent)


def meeting_summary(m: dict) -> list[tuple]:
    """The meetings table: one figure a line."""
    return [
        (_("meetings held"), m["held"]),
        (_("meetings cancelled"), m["cancelled"]),
        (_("meetings scheduled"), m["scheduled"]),
        (_("mean attendance %"), m["attendance_rate"]),
        (_("meetings with quorum %"), m["quorum_share"]),
        (_("chaired by a Party member"), m["chairs_party"]),
        (_("chaired by a non-member"), m["chairs_other"]),
        (_("decisions adopted"), m["adopted"]),
        (_("decisions not adopted"), m["not_adopted"]),
        (_("decisions deferred"), m["deferred"]),
    ]


def talent_summary(t: dict) -> list[tuple]:
    return [
        (_("talents"), t["total"]),
        (_("Party members"), t["party"]),
        (_("returned"), t["returned"]),
        (_("reserve cadres"), t["reserve"]),
        *t["by_skill"],
    ]
