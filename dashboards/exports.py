"""The columns of every table the dashboards export (CSV and XLSX), with the registries' masking."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboards.selectors import DISPUTE_LABELS, RANK_COLUMNS, age_days
from projects.tabular import Column
from roundtable.models import STEP_HANZI, STEP_NUMBER
from roundtable.permissions import can_see_raiser
from talent.permissions import mask_mobile


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
        Column("step", _("step"), lambda r: f"{STEP_NUMBER[r['stage']]} {STEP_HANZI[r['stage']]}"),
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


def issue_columns(user) -> list[Column]:
    """The issue list; the raiser's name and number whole only for the village's cadres, as on the page."""
    now = timezone.now()
    return [
        Column("id", "#", lambda i: i.pk),
        Column("township", _("township"), lambda i: i.village.township.name),
        Column("village", _("village"), lambda i: i.village.name),
        Column("group", _("group or area"), lambda i: i.group.name if i.group else ""),
        Column("title", _("title"), lambda i: i.title),
        Column("category", _("category"), lambda i: i.get_category_display()),
        Column("channel", _("channel"), lambda i: i.get_channel_display()),
        Column("stage", _("stage"), lambda i: i.get_stage_display()),
        Column("raised", _("raised at"), lambda i: _local(i.created_at)),
        Column("due", _("stage due at"), lambda i: _local(i.stage_due_at)),
        Column("age", _("days in the step"), lambda i: age_days(i, now) if i.is_open else ""),
        Column(
            "overdue", _("overdue"), lambda i: i.is_open and bool(i.stage_due_at and i.stage_due_at < now)
        ),
        Column("escalated", _("escalated at"), lambda i: _local(i.escalated_at)),
        Column("raiser", _("raiser's name"), lambda i: i.raiser_name if can_see_raiser(user, i) else ""),
        Column(
            "mobile",
            _("raiser's mobile number"),
            lambda i: (
                ""
                if i.is_anonymous
                else i.raiser_mobile
                if can_see_raiser(user, i)
                else mask_mobile(i.raiser_mobile)
            ),
        ),
    ]


def meeting_columns() -> list[Column]:
    return [
        Column("id", "#", lambda m: m.pk),
        Column("village", _("village"), lambda m: m.roundtable.village.name),
        Column("roundtable", _("roundtable"), lambda m: m.roundtable.name),
        Column("starts", _("starts at"), lambda m: _local(m.starts_at)),
        Column("place", _("place"), lambda m: m.place),
        Column("state", _("state"), lambda m: m.get_state_display()),
        Column("chair", _("chair"), lambda m: m.chair.name if m.chair else ""),
        Column("party", _("chair is a Party member"), lambda m: m.chair.is_party_member if m.chair else ""),
        Column("present", _("present"), lambda m: m.present),
        Column("recorded", _("attendance recorded"), lambda m: m.recorded),
        Column("items", _("agenda items"), lambda m: m.items),
    ]


def stage_columns() -> list[Column]:
    return [
        Column("step", _("step"), lambda r: f"{STEP_NUMBER[r['stage']]} {STEP_HANZI[r['stage']]}"),
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
