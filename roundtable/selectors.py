"""Reads for the workflow's pages: lists, filters, ready agendas, duplicates, public views."""

import contextlib
import datetime
import hashlib
import json
import re

import django_filters
from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    Expression,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    TextField,
    Value,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from accounts.selectors import scope_for
from core import clock, pagecache, stamped
from core.crypto import blind_index
from core.db import prepared_statements
from core.text import strip_controls
from core.widgets import LeanCheckboxInput, LeanSelect, LeanTextInput
from roundtable.models import (
    OPEN_STAGE_LIST,
    OPEN_STAGES,
    STEP_HANZI,
    STEP_NUMBER,
    STEPS,
    AgendaItem,
    Attendance,
    Issue,
    IssueTally,
    Meeting,
    Opinion,
    ProgressUpdate,
    Resolution,
    Roundtable,
    RoundtableMember,
    Satisfaction,
    Stage,
    SupervisionVerdict,
    TimelineEntry,
)
from roundtable.workflow import has_quorum, quorum_needed
from villages.models import Village
from villages.selectors import group_choices

DUE_SOON = datetime.timedelta(days=7)


def _caseless(text: str) -> bool:
    """No character of the text has a case (Chinese, digits, punctuation)."""
    return text.upper() == text and text.lower() == text


def _holds(field: str, text: str) -> Q:
    """The field holds the text, letters in any case: ``UPPER(field) LIKE UPPER('%text%')``, or, for a text
    without letters that have a case, the plain ``field LIKE '%text%'``, which finds the same (no case
    mapping gives a character without case) without upper-casing every row the search reads (issue 13)."""
    return Q(**{f"{field}__{'contains' if _caseless(text) else 'icontains'}": text})


def search_q(text: str) -> Q:
    """Substring search that works for Chinese (no word boundaries needed) plus the exact tracking code.

    On PostgreSQL the index ``issue_text_grams`` (every character and character pair of the title and the
    description, migration 0010) finds the candidates: a pattern's pairs (its one character, when that is
    all) must all be among the matter's; the substring test then decides, so the results are the same."""
    text = text.strip()
    code = Q(tracking_code=text.upper())
    substring = _holds("title", text) | _holds("description", text) | code
    if not (settings.IS_POSTGRES and text):
        return substring
    # (grams or code) and (substring or code): the first part alone is the indexes' (a bitmap of the two),
    # dropped from the row-by-row filter, so the costly grams are never computed row by row.
    return (Q(_text_grams_contain(text)) | code) & substring


class _Grams(Func):
    """``tongxin_grams(upper(…))``: the characters and character pairs of a text in capitals (migration 0010),
    upper-cased as the substring test (``UPPER(…) LIKE UPPER(…)``) does, by the same database function."""

    function = "tongxin_grams"
    template = "%(function)s(upper(%(expressions)s))"
    arg_joiner = " || ' ' || "

    def __init__(self, *expressions):
        from django.contrib.postgres.fields import ArrayField

        super().__init__(*expressions, output_field=ArrayField(TextField()))


class _PatternGrams(_Grams):
    """``tongxin_pattern_grams(upper(…))``: what a pattern's text must hold — its character pairs, or its one
    character when that is all (migration 0011). Pairs only: a single character's list of matters is the
    longest of all, and every pair present implies both its characters are."""

    function = "tongxin_pattern_grams"


def _grams_contain(*columns, text: str):
    from django.contrib.postgres.fields import ArrayField

    lookup = ArrayField(TextField()).get_lookup("contains")
    return lookup(_Grams(*(F(c) for c in columns)), _PatternGrams(Value(text)))


def _text_grams_contain(text: str):
    """The matter's title and description hold every pair of ``text`` (the index's test:
    ``issue_text_grams`` indexes exactly ``_Grams(title, description)``)."""
    return _grams_contain("title", "description", text=text)


class _Joined(Func):
    """Texts joined by a space (``title || ' ' || description``), as the indexes' expressions spell it."""

    template = "%(expressions)s"
    arg_joiner = " || ' ' || "
    output_field = TextField()


class _Keyed(Func):
    """``function(village, upper(text))``: grams of a text in capitals keyed by a village ("12:路灯"), the
    expressions of the indexes ``issue_village_text_pairs`` and ``issue_raiser_name_grams`` (migration
    0011), or a pattern's in a given village."""

    template = "%(function)s(%(expressions)s)"

    def __init__(self, function, key, *texts):
        from django.contrib.postgres.fields import ArrayField

        super().__init__(key, Upper(_Joined(*texts)), function=function, output_field=ArrayField(TextField()))


class _KeyedContainAny(Expression):
    """``keys(village, text) @> pattern(v1, text) OR … OR keys(village, text) @> pattern(vN, text)``: one
    condition per village, each of which the index answers (a BitmapOr). Written as one expression whose
    indexed side is compiled once: as a Q of N lookups, Django resolved and compiled N copies, a fifth of a
    township official's search (issue 13)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, index_function, pattern_function, columns, text: str, village_ids):
        super().__init__()
        self.indexed = _Keyed(index_function, F("village_id"), *(F(c) for c in columns))
        self.pattern_function, self.text = pattern_function, text
        self.village_ids = [int(v) for v in sorted(village_ids)]

    def get_source_expressions(self):
        return [self.indexed]

    def set_source_expressions(self, exprs):
        (self.indexed,) = exprs

    def as_sql(self, compiler, connection):
        indexed, indexed_params = compiler.compile(self.indexed)
        # Each branch: the index's expression, the fixed function name, the village and text as parameters.
        branch = f"{indexed} @> ({self.pattern_function}(%s, UPPER(%s)))::text[]"
        sql = " OR ".join([branch] * len(self.village_ids)) or "FALSE"
        params = [p for v in self.village_ids for p in (*indexed_params, v, self.text)]
        return f"({sql})", params


def _keyed_contain(index_function, pattern_function, columns, text: str, village_ids) -> Q:
    return Q(_KeyedContainAny(index_function, pattern_function, columns, text, village_ids))


# Up to a township's villages, a search asks each village's keys; past that (a district official), the
# grams of the whole district (one index condition rather than hundreds).
KEYED_VILLAGES_MAX = 30


def _village_text_pairs_contain(text: str, village_ids) -> Q:
    """In one of the villages, the title and description hold every pair of ``text`` (two characters or
    more): the index ``issue_village_text_pairs`` returns those villages' matters only."""
    return _keyed_contain(
        "tongxin_village_pairs", "tongxin_village_pattern_pairs", ["title", "description"], text, village_ids
    )


def _name_grams_contain(text: str, village_ids) -> Q:
    """In one of the villages, the raiser's name holds every pair of ``text`` (its one character, when that
    is all); with the partial index's own condition (a name, not anonymous) spelled out so that the planner
    may use ``issue_raiser_name_grams``."""
    query = _keyed_contain(
        "tongxin_keyed_grams", "tongxin_keyed_pattern_grams", ["raiser_name"], text, village_ids
    )
    return query & Q(is_anonymous=False) & ~Q(raiser_name="")


MAX_SEARCH_LENGTH = 100
_NUMBER = re.compile(r"^#?\s*(\d{1,9})$")
_MOBILE_PUNCTUATION = re.compile(r"[\s\-()（）]")
_MOBILE = re.compile(r"^(?:\+?86)?(1\d{10})$")


def normalised_mobile(text: str) -> str:
    """A mainland mobile number as stored (11 digits), from what a cadre types: spaces, dashes and a
    +86 prefix allowed. Empty when the text is no mobile number."""
    match = _MOBILE.match(_MOBILE_PUNCTUATION.sub("", text))
    return match.group(1) if match else ""


def issue_search_q(
    text: str, *, personal_village_ids=frozenset(), village_ids=None, with_indexes: bool = True
) -> Q:
    """What the staff search box finds: the text search (``search_q``), a matter's number ("#101" or
    "101") and, only in the villages given (where the user is a cadre), the raiser's whole mobile number
    (through its keyed hash) or name. Anonymous matters are never found by their raiser.

    On PostgreSQL it is (what the indexes find) AND (what is searched): the first part, an OR of index
    conditions only (grams of the text and of the name, the tracking code, the number, the mobile's hash),
    is implied by the second, so the results are the second's; it lets the planner build one bitmap from
    the indexes and never compute the grams row by row. Given the ``village_ids`` searched (a few), the
    text's pairs are asked in those villages only, so the index never reads the district's history."""
    text = strip_controls(text).strip()[:MAX_SEARCH_LENGTH]
    if not text:
        return Q()
    code = Q(tracking_code=text.upper())
    found = _holds("title", text) | _holds("description", text) | code
    indexed = None
    if settings.IS_POSTGRES and with_indexes:
        if len(text) >= 2 and village_ids is not None and len(village_ids) <= KEYED_VILLAGES_MAX:
            indexed = _village_text_pairs_contain(text, village_ids) | code
        else:
            indexed = Q(_text_grams_contain(text)) | code
    number = _NUMBER.match(text)
    if number:
        found |= Q(pk=int(number.group(1)))
        indexed = indexed | Q(pk=int(number.group(1))) if indexed is not None else None
    if personal_village_ids:
        mobile = normalised_mobile(text)
        raiser = Q(village_id__in=personal_village_ids, is_anonymous=False)
        personal = index_personal = None
        if mobile:
            personal = index_personal = Q(raiser_mobile_hash=blind_index(mobile))  # its own index
        elif not number:
            personal = _holds("raiser_name", text) if len(text) >= 2 else Q(raiser_name__iexact=text)
            if indexed is not None:
                index_personal = _name_grams_contain(text, personal_village_ids)
        if personal is not None:
            found |= personal & raiser
            if indexed is not None:
                indexed |= index_personal
    if indexed is None:
        return found
    return indexed & found


class IssueFilter(django_filters.FilterSet):
    """Filters of the cadre's issue list."""

    # Lean widgets (core.widgets): the same HTML, written without a template per widget and per option.
    q = django_filters.CharFilter(
        label=_("Search"), method="filter_q", widget=LeanTextInput(attrs={"type": "search"})
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage"), choices=Stage.choices, empty_label=_("All stages"), widget=LeanSelect
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"),
        choices=Issue.Category.choices,
        empty_label=_("All categories"),
        widget=LeanSelect,
    )
    group = django_filters.ModelChoiceFilter(
        label=_("Group or area"), queryset=None, empty_label=_("All groups"), widget=LeanSelect
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="filter_overdue", widget=LeanCheckboxInput
    )
    open = django_filters.BooleanFilter(label=_("Open only"), method="filter_open", widget=LeanCheckboxInput)
    escalated = django_filters.BooleanFilter(
        label=_("Escalated only"), method="filter_escalated", widget=LeanCheckboxInput
    )
    due = django_filters.ChoiceFilter(
        label=_("Due"),
        choices=[("week", _("due this week"))],
        empty_label=_("Any time"),
        method="filter_due",
        widget=LeanSelect,
    )

    class Meta:
        model = Issue
        fields = ["q", "stage", "category", "group", "overdue", "open", "escalated", "due"]

    def __init__(self, *args, village=None, personal=False, **kwargs):
        super().__init__(*args, **kwargs)
        groups = self.filters["group"]
        groups.queryset = village.groups.all() if village else Issue.objects.none()
        if village:  # shown from the kept list; a chosen group is still checked against the queryset
            field = self.form.fields["group"]
            field.widget.choices = [("", field.empty_label), *group_choices(village)]
        # Only the village's cadres find matters by the raiser's name or mobile number.
        self.personal_village_ids = frozenset({village.pk}) if village and personal else frozenset()
        self.village_ids = frozenset({village.pk}) if village else None
        self.filters["q"].field.help_text = (
            _("A number (#101), a tracking code, the raiser's name or mobile number, or words")
            if personal
            else _("A number (#101), a tracking code, or words")
        )

    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(
            issue_search_q(
                value, personal_village_ids=self.personal_village_ids, village_ids=self.village_ids
            )
        )

    def filter_due(self, queryset, name, value):
        """Due this week: open, and the step's deadline within the next seven days (not yet overdue) —
        the workspace home's count."""
        if value == "week":
            now = clock.now()
            return queryset.filter(
                stage__in=OPEN_STAGE_LIST, stage_due_at__gte=now, stage_due_at__lt=now + DUE_SOON
            )
        return queryset

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.filter(stage__in=OPEN_STAGE_LIST, stage_due_at__lt=clock.now())
        return queryset

    def filter_open(self, queryset, name, value):
        return queryset.filter(stage__in=OPEN_STAGES) if value else queryset

    def filter_escalated(self, queryset, name, value):
        """Escalated (督办) matters still open: escalation ends when the matter moves on."""
        return queryset.filter(stage__in=OPEN_STAGES, escalated_at__isnull=False) if value else queryset


def issue_list(*, village, data=None, personal=False) -> IssueFilter:
    """The village's issues, newest first, with the list's filters applied."""
    queryset = (
        Issue.objects.filter(village=village)
        .select_related("group")
        .only(
            "pk",
            "title",
            "stage",
            "category",
            "channel",
            "created_at",
            "stage_due_at",
            "tracking_code",
            "village_id",
            "group__name",
            "escalated_at",
        )
        .order_by("-created_at", "-pk")
    )
    return IssueFilter(data or None, queryset=queryset, village=village, personal=personal)


def issue_detail_context(issue: Issue, *, internal: bool) -> dict:
    """Everything an issue page shows. The timeline says which steps the issue reached, so the records of
    steps it never reached are not queried. Staff pages on PostgreSQL read the matter's own records in one
    query (``staff_issue_records``)."""
    if internal and settings.IS_POSTGRES:
        return staff_issue_records(issue)
    timeline = issue.timeline.select_related("meeting__roundtable").order_by("created_at", "pk")
    if not internal:
        timeline = timeline.filter(is_public=True)
    timeline = list(timeline)
    reached = {e.to_stage for e in issue.timeline.all()} if not internal else {e.to_stage for e in timeline}
    deliberated = bool(reached & {Stage.DELIBERATING, Stage.DECIDED}) or issue.stage == Stage.DELIBERATING
    executed = bool(reached & {Stage.EXECUTING, Stage.SUPERVISING})
    supervised = bool(reached & {Stage.SUPERVISING, Stage.CLOSED})
    return {
        "timeline": timeline,
        "opinions": list(issue.opinions.all()) if reached & {Stage.SOLICITING} else [],
        "agenda_items": list(
            issue.agenda_items.select_related("meeting__roundtable").order_by("meeting__starts_at")
        )
        if deliberated
        else [],
        "resolutions": list(issue.resolutions.select_related("meeting", "responsible").order_by("created_at"))
        if deliberated
        else [],
        "progress": list(issue.progress.all()) if executed else [],
        "verdicts": list(issue.verdicts.select_related("supervisor")) if supervised else [],
        "satisfaction": _satisfaction(issue) if supervised else None,
    }


# What the staff issue page shows beside the matter, as one JSON object (PostgreSQL): the whole timeline
# (each entry with its meeting and the meeting's roundtable), the opinions, the agenda items (with their
# meeting and roundtable), the progress reports and the rating, in the orders the ORM reads gave them.
# Decisions and verdicts carry users (read apart, through the ORM). Constant SQL, one parameter per part.
STAFF_RECORDS_SQL = """SELECT json_build_object(
    'timeline', (SELECT json_agg(json_build_object(
            'entry', row_to_json(t), 'meeting', row_to_json(m), 'roundtable', row_to_json(rt))
            ORDER BY t.created_at, t.id)
        FROM roundtable_timelineentry t
        LEFT JOIN roundtable_meeting m ON m.id = t.meeting_id
        LEFT JOIN roundtable_roundtable rt ON rt.id = m.roundtable_id
        WHERE t.issue_id = %(issue)s),
    'opinions', (SELECT json_agg(row_to_json(o) ORDER BY o.created_at, o.id)
        FROM roundtable_opinion o WHERE o.issue_id = %(issue)s),
    'agenda', (SELECT json_agg(json_build_object(
            'item', row_to_json(a), 'meeting', row_to_json(m), 'roundtable', row_to_json(rt))
            ORDER BY m.starts_at, a.id)
        FROM roundtable_agendaitem a
        JOIN roundtable_meeting m ON m.id = a.meeting_id
        JOIN roundtable_roundtable rt ON rt.id = m.roundtable_id
        WHERE a.issue_id = %(issue)s),
    'progress', (SELECT json_agg(row_to_json(p) ORDER BY p.created_at, p.id)
        FROM roundtable_progressupdate p WHERE p.issue_id = %(issue)s),
    'satisfaction', (SELECT row_to_json(s) FROM roundtable_satisfaction s WHERE s.issue_id = %(issue)s))"""


def staff_issue_records(issue: Issue) -> dict:
    """``issue_detail_context(issue, internal=True)`` on PostgreSQL: the records of the matter in one query
    (``STAFF_RECORDS_SQL``) plus its decisions and verdicts when it reached their steps; the same objects
    the separate reads give. The opinions are also left as ``issue.opinions.all()`` (the consultation part
    of the page lists them again)."""
    with connection.cursor() as cursor:
        cursor.execute(STAFF_RECORDS_SQL, {"issue": issue.pk})
        records = cursor.fetchone()[0]
    if isinstance(records, str):
        records = json.loads(records)
    timeline = _timeline_from_json(issue, records["timeline"])
    reached = {e.to_stage for e in timeline}
    deliberated = bool(reached & {Stage.DELIBERATING, Stage.DECIDED}) or issue.stage == Stage.DELIBERATING
    executed = bool(reached & {Stage.EXECUTING, Stage.SUPERVISING})
    supervised = bool(reached & {Stage.SUPERVISING, Stage.CLOSED})
    opinions = [_from_json(Opinion, row, issue=issue) for row in records["opinions"] or []]
    issue._prefetched_objects_cache = {
        **getattr(issue, "_prefetched_objects_cache", {}),
        "opinions": opinions,
    }
    agenda_items = []
    for row in records["agenda"] or []:
        meeting = _from_json(Meeting, row["meeting"], roundtable=_from_json(Roundtable, row["roundtable"]))
        agenda_items.append(_from_json(AgendaItem, row["item"], issue=issue, meeting=meeting))
    satisfaction = records["satisfaction"] and _from_json(Satisfaction, records["satisfaction"], issue=issue)
    return {
        "timeline": timeline,
        "opinions": opinions if reached & {Stage.SOLICITING} else [],
        "agenda_items": agenda_items if deliberated else [],
        "resolutions": list(issue.resolutions.select_related("meeting", "responsible").order_by("created_at"))
        if deliberated
        else [],
        "progress": [_from_json(ProgressUpdate, row, issue=issue) for row in records["progress"] or []]
        if executed
        else [],
        "verdicts": list(issue.verdicts.select_related("supervisor")) if supervised else [],
        "satisfaction": (satisfaction or None) if supervised else None,
    }


def _satisfaction(issue: Issue) -> Satisfaction | None:
    """The raiser's rating (one at most): get(), as first() would add an ORDER BY to compile."""
    try:
        return Satisfaction.objects.get(issue=issue)
    except Satisfaction.DoesNotExist:
        return None


# A correlated subquery of the issue query (PostgreSQL): what the tracking page shows beside the matter,
# as one JSON object, so that the page reads it all with the matter itself: the public timeline (each entry
# with its meeting and the meeting's roundtable), the adopted decision (the latest), the progress reports
# and the opinion counts by stance. Constant SQL, no parameters.
PUBLIC_EXTRAS_SQL = """SELECT json_build_object(
    'timeline', (SELECT json_agg(json_build_object(
            'entry', row_to_json(t), 'meeting', row_to_json(m), 'roundtable', row_to_json(rt))
            ORDER BY t.created_at, t.id)
        FROM roundtable_timelineentry t
        LEFT JOIN roundtable_meeting m ON m.id = t.meeting_id
        LEFT JOIN roundtable_roundtable rt ON rt.id = m.roundtable_id
        WHERE t.issue_id = roundtable_issue.id AND t.is_public),
    'resolution', (SELECT row_to_json(r) FROM (
        SELECT * FROM roundtable_resolution
        WHERE issue_id = roundtable_issue.id AND adopted ORDER BY created_at DESC, id DESC LIMIT 1) r),
    'progress', (SELECT json_agg(row_to_json(p) ORDER BY p.created_at, p.id)
        FROM roundtable_progressupdate p WHERE p.issue_id = roundtable_issue.id),
    'opinions', (SELECT json_object_agg(o.stance, o.n ORDER BY o.stance) FROM (
        SELECT stance, COUNT(*) AS n FROM roundtable_opinion
        WHERE issue_id = roundtable_issue.id GROUP BY stance) o))"""


def _from_json(model, row: dict, **related):
    """A model instance from a row_to_json() row of its table (every column), as if read by a query, with
    ``related`` objects (by foreign key name) set as select_related would."""
    fields = model._meta.concrete_fields
    instance = model.from_db(
        "default", [f.attname for f in fields], [f.to_python(row[f.column]) for f in fields]
    )
    for name, value in related.items():
        model._meta.get_field(name).set_cached_value(instance, value)
    return instance


def _timeline_from_json(issue: Issue, rows) -> list:
    timeline = []
    for row in rows or []:
        meeting = None
        if row["meeting"]:
            roundtable = _from_json(Roundtable, row["roundtable"])
            meeting = _from_json(Meeting, row["meeting"], roundtable=roundtable)
        timeline.append(_from_json(TimelineEntry, row["entry"], issue=issue, meeting=meeting))
    return timeline


def public_issue_by_code(code: str) -> Issue | None:
    """The matter a tracking code (in capitals) opens, for its tracking page: with its village, group and
    rating, and on PostgreSQL what ``public_issue_context`` shows beside the timeline, in one query."""
    issues = Issue.objects.select_related("village", "group", "satisfaction").filter(tracking_code=code)
    if settings.IS_POSTGRES:
        issues = issues.annotate(public_extras=RawSQL(PUBLIC_EXTRAS_SQL, []))  # noqa: S611 - constant
    return next(iter(issues.order_by()[:1]), None)


def public_issue_context(issue: Issue) -> dict:
    """What the tracking page shows: the public timeline (each meeting at its time as it is now), the
    meeting the matter waits on, the decision and the progress; no personal data. What
    ``public_issue_by_code`` read with the matter is not read again."""
    extras = getattr(issue, "public_extras", None)
    if extras is not None:
        timeline = _timeline_from_json(issue, extras["timeline"])
        resolution = extras["resolution"] and _from_json(Resolution, extras["resolution"], issue=issue)
        progress = [_from_json(ProgressUpdate, row, issue=issue) for row in extras["progress"] or []]
        opinion_counts = extras["opinions"] or {}
    else:
        timeline = list(
            issue.timeline.filter(is_public=True)
            .select_related("meeting__roundtable")
            .order_by("created_at", "pk")
        )
        resolution = issue.resolutions.filter(adopted=True).order_by("-created_at", "-pk").first()
        progress = list(issue.progress.order_by("created_at", "pk"))
        opinion_counts = dict(issue.opinions.values_list("stance").annotate(n=Count("pk")).order_by())
    if Issue.satisfaction.is_cached(issue):
        satisfaction = Issue.satisfaction.related.get_cached_value(issue)
    else:
        satisfaction = _satisfaction(issue)
    return {
        "timeline": timeline,
        "meeting_now": issue_meeting_now(issue),
        "resolution": resolution or None,
        "progress": progress,
        "opinion_counts": opinion_counts,
        "satisfaction": satisfaction,
    }


def issue_meeting_now(issue: Issue) -> dict | None:
    """For a matter in step 3: the meeting it waits on, at its time as it is now, or the meeting that was
    to discuss it and was cancelled (while it waits for the next); else None."""
    if issue.stage != Stage.DELIBERATING:
        return None
    item = issue.agenda_items.select_related("meeting__roundtable").order_by("-pk").first()
    if item is None:
        return None
    if item.outcome == AgendaItem.Outcome.PENDING and item.meeting.state == Meeting.State.SCHEDULED:
        return {"meeting": item.meeting, "cancelled": False}
    if item.meeting.state == Meeting.State.CANCELLED:
        return {"meeting": item.meeting, "cancelled": True}
    return None


# What a list of likely duplicates shows (roundtable/work/_similar.html): not the whole issue.
SIMILAR_FIELDS = ("pk", "village_id", "title", "stage", "created_at")
# Likely duplicates are looked for among the village's latest matters of the last year, at most this many:
# a year of a big village's matters, and a cost that stays the same however much history a village has.
SIMILAR_WINDOW = 500


def similar_to_issue(issue, *, village) -> list:
    """``similar_issues`` of a matter's own title, for its page. Kept in the cache under the village's stamp,
    which every raised matter and every move renews (workflow._log, core.pagecache.village_changed), so the
    list a cadre sees at step 1 is computed again only when the village's matters changed (or after
    ``core.stamped.TIMEOUT``): at 1,000,000 matters it compared 500 titles on every view (issue 13)."""
    digest = hashlib.sha256(issue.title.encode()).hexdigest()[:16]
    return stamped.read(
        pagecache.village_stamp(village.code),
        f"similar:{village.pk}:{issue.pk}:{digest}",
        lambda: similar_issues(village=village, title=issue.title, exclude_pk=issue.pk),
    )


def similar_issues(*, village, title: str, exclude_pk=None, limit: int = 5):
    """Likely duplicates of a title among the village's latest matters of the last year (SIMILAR_WINDOW).

    PostgreSQL ranks by trigram similarity; elsewhere any shared two-character piece of the title counts.
    """
    # What is being typed, unvalidated: no NUL (PostgreSQL refuses it) and no longer than a title.
    title = strip_controls(title).strip()[:120]
    if len(title) < 2:
        return []
    since = clock.now() - datetime.timedelta(days=365)
    gone = [Stage.MERGED, Stage.WITHDRAWN]
    if settings.IS_POSTGRES:
        # The window walks the village's matters from the newest down and stops after SIMILAR_WINDOW rows;
        # only those titles are compared, with ``title % …`` at the threshold the ranking keeps (set for each
        # connection as it opens: settings.TRIGRAM_SIMILARITY_THRESHOLD).
        exclude_sql = "AND recent.id <> %s" if exclude_pk else ""
        sql = f"""
            SELECT recent.*, similarity(recent.title, %s) AS similarity
            FROM (
                SELECT id, village_id, title, stage, created_at FROM roundtable_issue
                WHERE village_id = %s AND stage NOT IN (%s, %s)
                ORDER BY created_at DESC LIMIT %s
            ) AS recent
            WHERE recent.created_at >= %s AND recent.title %% %s AND similarity(recent.title, %s) > %s
                {exclude_sql}
            ORDER BY similarity DESC, recent.created_at DESC
            LIMIT %s
        """  # noqa: S608 (no value is formatted in: exclude_sql is one of two fixed strings)
        threshold = settings.TRIGRAM_SIMILARITY_THRESHOLD
        params = [title, village.pk, *gone, SIMILAR_WINDOW, since, title, title, threshold]
        params += [exclude_pk] if exclude_pk else []
        return list(Issue.objects.raw(sql, [*params, limit]))
    window = (
        Issue.objects.filter(village=village).exclude(stage__in=gone).order_by("-created_at").values("pk")
    )
    base = Issue.objects.filter(pk__in=window[:SIMILAR_WINDOW], created_at__gte=since).only(*SIMILAR_FIELDS)
    if exclude_pk:
        base = base.exclude(pk=exclude_pk)
    pieces = {title[i : i + 2] for i in range(len(title) - 1)} - {"村", "的"}
    query = Q()
    for piece in list(pieces)[:20]:
        query |= Q(title__contains=piece)
    candidates = list(base.filter(query).order_by("-created_at")[:50])
    for issue in candidates:
        issue.similarity = sum(piece in issue.title for piece in pieces) / max(len(pieces), 1)
    candidates.sort(key=lambda i: (-i.similarity, -i.created_at.timestamp()))
    return [c for c in candidates if c.similarity >= 0.2][:limit]


def issues_ready_for_agenda(meeting: Meeting):
    """Issues the meeting could take: in step 2 with at least one opinion, or deferred in step 3, of a
    group its roundtable covers, and not already on its agenda."""
    roundtable = meeting.roundtable
    has_opinion = Exists(Opinion.objects.filter(issue=OuterRef("pk")))
    pending = Exists(AgendaItem.objects.filter(issue=OuterRef("pk"), outcome=AgendaItem.Outcome.PENDING))
    qs = (
        Issue.objects.filter(village_id=roundtable.village_id)
        .annotate(has_op=has_opinion, pending=pending)
        .filter(Q(stage=Stage.SOLICITING, has_op=True) | Q(stage=Stage.DELIBERATING, pending=False))
    )
    if roundtable.group_id:
        qs = qs.filter(group_id=roundtable.group_id)
    return qs.exclude(agenda_items__meeting=meeting).select_related("group").order_by("created_at")


def meeting_detail_context(meeting: Meeting) -> dict:
    """The meeting page's data in a fixed number of queries, whatever the agenda's length."""
    agenda = list(
        meeting.agenda.select_related("issue__group", "issue__village", "resolution__responsible")
        .prefetch_related("issue__agenda_items")
        .order_by("order", "pk")
    )
    attendance = list(
        meeting.attendance.select_related("member").order_by("-member__is_party_member", "member__name")
    )
    present = sum(1 for a in attendance if a.status == Attendance.Status.PRESENT and a.member.is_active)
    members = meeting.roundtable.members.filter(is_active=True).count()
    return {
        "agenda": agenda,
        "attendance": attendance,
        "present": present,
        "member_count": members,
        "quorum": has_quorum(present=present, members=members),
        "quorum_needed": quorum_needed(members),
    }


def village_meetings(*, village):
    return (
        Meeting.objects.filter(roundtable__village=village)
        .select_related("roundtable", "chair", "substitute_chair")
        .annotate(items=Count("agenda"))
        .order_by("-starts_at")
    )


def roundtables_of(*, village):
    return (
        Roundtable.objects.filter(village=village)
        .select_related("group", "liaison")
        .prefetch_related(Prefetch("members", queryset=RoundtableMember.objects.filter(is_active=True)))
        .order_by("group__order", "name")
    )


def stage_tallies(*, villages) -> dict[int, dict[str, int]]:
    """Per village id: how many of its issues stand at each stage (the workflow's tallies, one small read)."""
    tallies: dict[int, dict[str, int]] = {}
    rows = IssueTally.objects.filter(village__in=villages, count__gt=0).values_list(
        "village_id", "stage", "count"
    )
    for village_id, stage, count in rows:
        tallies.setdefault(village_id, {})[stage] = count
    return tallies


def workspace_summary(*, villages) -> dict:
    """Per village: new (step 1), open, overdue, due this week, supervising; next meetings — for the
    workspace home. Stage counts come from the tallies; overdue and due this week, which change with the
    clock, from the open issues due before the week's end (index issue_open_village_due), never history."""
    now = clock.now()
    week = now + DUE_SOON
    tallies = stage_tallies(villages=villages)
    due = {
        row["village_id"]: row
        for row in Issue.objects.filter(
            village__in=villages, stage__in=OPEN_STAGE_LIST, stage_due_at__lt=week
        )
        .values("village_id")
        .annotate(
            overdue=Count("pk", filter=Q(stage_due_at__lt=now)),
            due_week=Count("pk", filter=Q(stage_due_at__gte=now)),
        )
        .order_by()
    }
    summary = {}
    for village_id in set(tallies) | set(due):
        stages = tallies.get(village_id, {})
        summary[village_id] = {
            "village_id": village_id,
            "new": stages.get(Stage.RAISED, 0),
            "open": sum(stages.get(stage, 0) for stage in OPEN_STAGE_LIST),
            "overdue": due.get(village_id, {}).get("overdue", 0),
            "due_week": due.get(village_id, {}).get("due_week", 0),
            "supervising": stages.get(Stage.SUPERVISING, 0),
        }
    meetings = (
        Meeting.objects.filter(
            roundtable__village__in=villages,
            state=Meeting.State.SCHEDULED,
            starts_at__gte=now - datetime.timedelta(hours=3),
        )
        .select_related("roundtable__village")
        .order_by("starts_at")[:10]
    )
    return {"by_village": summary, "meetings": list(meetings)}


OVERDUE_PAGE_SIZE = 50


def overdue_issues(*, villages):
    """Open issues past their step's time limit, soonest due first (ties by number): served in that order
    by the partial index issue_open_due, whose condition this query spells exactly."""
    # The columns the list shows only, and no join: each village is named after the page is read
    # (overdue_places); joined, every overdue matter of the township was joined before the sort (issue 13).
    return (
        Issue.objects.filter(village__in=villages, stage__in=OPEN_STAGE_LIST, stage_due_at__lt=clock.now())
        .only(*OVERDUE_ROW_COLUMNS)
        .order_by("stage_due_at", "pk")
    )


OVERDUE_ROW_COLUMNS = ("village_id", "title", "stage", "stage_due_at", "escalated_at")


def overdue_places(issues) -> dict:
    """The villages of a page of the overdue list by number, as (code, name)."""
    ids = {issue.village_id for issue in issues}
    if not ids:
        return {}
    return {
        pk: (code, name)
        for pk, code, name in Village.objects.filter(pk__in=ids).values_list("pk", "code", "name")
    }


def overdue_page(*, villages, after: str = "", size: int | None = None) -> dict:
    """One page of the overdue list by keyset: the issues after the cursor ``after`` (the last row's due
    time and number, from the previous page), so a deep page costs what the first does.

    Returns the issues and the cursor of the next page ("" on the last)."""
    size = size or OVERDUE_PAGE_SIZE
    issues = overdue_issues(villages=villages)
    cursor = _parse_overdue_cursor(after)
    if cursor is not None:
        due_at, pk = cursor
        # The first condition starts the index range; the second skips the rows of the tie already shown.
        issues = issues.filter(stage_due_at__gte=due_at).filter(Q(stage_due_at__gt=due_at) | Q(pk__gt=pk))
    rows = list(issues[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return {
        "issues": rows,
        "next": overdue_cursor(rows[-1]) if more else "",
        "first": cursor is None,
    }


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)


def overdue_cursor(issue: Issue) -> str:
    """Where a page ended: the last row's due time (whole microseconds since 1970, exact) and number."""
    return f"{(issue.stage_due_at - _EPOCH) // _MICROSECOND}_{issue.pk}"


def _parse_overdue_cursor(after: str):
    """The (due time, number) a cursor names; None for none or anything malformed (the first page)."""
    stamp, _sep, pk = (after or "").partition("_")
    try:
        due_at = _EPOCH + int(stamp) * _MICROSECOND
        pk = int(pk)
    except (ValueError, OverflowError):
        return None
    if pk < 1 or pk > 2**63 - 1:
        return None
    return due_at, pk


IN_PROGRESS_SHOWN = 50


def public_village_context(*, village) -> dict:
    """The village's public page: its roundtables, recent public decisions and work in progress."""
    # By the village kept on each resolution: index resolution_village_recent, newest first.
    decisions = (
        Resolution.objects.filter(village=village, adopted=True)
        .select_related("issue", "meeting__roundtable")
        .order_by("-created_at")[:10]
    )
    # The count is the tallies' (kept by the workflow with every move, so it is the list's own issues).
    in_progress = (
        Issue.objects.filter(village=village, stage__in=[Stage.DECIDED, Stage.EXECUTING, Stage.SUPERVISING])
        .annotate(last_percent=_last_percent())
        .order_by("-stage_entered_at")
    )
    stage_counts = stage_tallies(villages=[village]).get(village.pk, {})
    return {
        "roundtables": list(
            Roundtable.objects.filter(village=village, is_active=True)
            .select_related("group")
            .annotate(member_count=Count("members", filter=Q(members__is_active=True)))
            .order_by("group__order", "name")
        ),
        "decisions": list(decisions),
        "in_progress": list(in_progress[:IN_PROGRESS_SHOWN]),
        "in_progress_count": sum(
            stage_counts.get(stage, 0) for stage in (Stage.DECIDED, Stage.EXECUTING, Stage.SUPERVISING)
        ),
        "stage_counts": stage_counts,
        "closed_count": stage_counts.get(Stage.CLOSED, 0),
        "open_count": sum(n for s, n in stage_counts.items() if s in OPEN_STAGES),
    }


def _last_percent():
    return Subquery(
        ProgressUpdate.objects.filter(issue=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("percent")[:1]
    )


def progress_steps(issue: Issue, timeline) -> list[dict]:
    """The six steps with done / current / todo, for the progress bar. A terminal issue shows the steps
    it passed; the step it ended in is marked as where it stopped."""
    if issue.stage == Stage.CLOSED:
        reached, current = len(STEPS) + 1, None
    elif issue.step:
        reached, current = issue.step, issue.step
    else:
        ended_from = next((e.from_stage for e in reversed(timeline) if e.to_stage == issue.stage), "")
        reached, current = STEP_NUMBER.get(ended_from, 1), None
    steps = []
    for number, stage in enumerate(STEPS, start=1):
        if number < reached:
            state = "done"
        elif number == current:
            state = "current"
        elif number == reached and current is None:
            state = "stopped"
        else:
            state = "todo"
        steps.append({"number": number, "label": stage.label, "hanzi": STEP_HANZI[stage], "state": state})
    return steps


def supervision_queue(*, village):
    """Issues of the village awaiting the supervisor's step-6 verdict, oldest first."""
    return list(
        Issue.objects.filter(village=village, stage=Stage.SUPERVISING)
        .select_related("group")
        .order_by("stage_entered_at")[:50]
    )


def public_consultations(*, village):
    """Step-2 matters of the village open for public opinions, soonest closing first. The page shows
    their public summary only; the description and the raiser's data stay with the cadres."""
    return (
        Issue.objects.filter(
            village=village,
            stage=Stage.SOLICITING,
            consultation_opened_at__isnull=False,
            consultation_closes_on__gte=clock.localdate(),
        )
        .only(
            "pk",
            "village_id",
            "title",
            "category",
            "stage",
            "consultation_summary",
            "consultation_closes_on",
            "consultation_opened_at",
        )
        .annotate(
            published_count=Count("opinions", filter=Q(opinions__published_at__isnull=False)),
        )
        .order_by("consultation_closes_on", "pk")
    )


def published_public_opinions(*, issue):
    """The public opinions a cadre chose to publish, with their replies (never the visitor's name)."""
    return issue.opinions.filter(source=Opinion.Source.PUBLIC, published_at__isnull=False).order_by(
        "published_at", "pk"
    )


RECOVERY_MAX_CODES = 5
RECOVERY_RECENT_DAYS = 90


def recovery_codes(mobile: str) -> list[str]:
    """The tracking codes a resident may recover by their mobile number: matters still open, and those
    that ended in the last 90 days, newest first, at most five (one text message).

    Found by the number's keyed hash, never by the encrypted column.
    """
    digest = blind_index(mobile)
    if not digest:
        return []
    since = clock.now() - datetime.timedelta(days=RECOVERY_RECENT_DAYS)
    return list(
        Issue.objects.filter(raiser_mobile_hash=digest, personal_data_erased_at__isnull=True)
        .filter(Q(stage__in=OPEN_STAGES) | Q(stage_entered_at__gte=since))
        .order_by("-created_at", "-pk")
        .values_list("tracking_code", flat=True)[:RECOVERY_MAX_CODES]
    )


def opinion_initial(user, issue) -> dict:
    """What the opinion form on the issue page starts with: a roundtable member records their own opinion
    (source "roundtable member", their name as the party); a cadre mostly records others' and chooses."""
    roles = scope_for(user).roles_in(issue.village)
    if Membership.Role.MEMBER in roles and Membership.Role.CADRE not in roles:
        return {"source": Opinion.Source.MEMBER, "party": user.get_short_name()}
    return {}


# --- each role's workspace home ---------------------------------------------------------------------

HOME_LIST_SIZE = 10
RECENTLY_CONFIRMED_DAYS = 30


def supervisor_home(*, user, village_ids) -> dict:
    """A supervisor's part of the workspace home, in three queries: matters waiting for my verdict
    (step 6 in my villages, not work I was responsible for), matters I sent back that are being redone
    (step 5), and the matters I confirmed in the last 30 days."""
    if not village_ids:
        return {"waiting": [], "waiting_more": False, "sent_back": [], "confirmed": []}
    waiting = (
        Issue.objects.filter(village_id__in=village_ids, stage=Stage.SUPERVISING)
        .exclude(responsible=user)
        .select_related("village", "group")
        .order_by("stage_entered_at", "pk")
    )
    waiting = list(waiting[: HOME_LIST_SIZE + 1])
    sent_back = (
        Issue.objects.filter(
            village_id__in=village_ids,
            stage=Stage.EXECUTING,
            pk__in=SupervisionVerdict.objects.filter(
                supervisor=user, verdict=SupervisionVerdict.Verdict.SEND_BACK
            ).values("issue_id"),
        )
        .select_related("village", "group")
        .order_by("stage_due_at", "pk")[:HOME_LIST_SIZE]
    )
    confirmed = (
        SupervisionVerdict.objects.filter(
            supervisor=user,
            verdict=SupervisionVerdict.Verdict.CONFIRM,
            issue__village_id__in=village_ids,
            created_at__gte=clock.now() - datetime.timedelta(days=RECENTLY_CONFIRMED_DAYS),
        )
        .select_related("issue__village")
        .order_by("-created_at", "-pk")[:HOME_LIST_SIZE]
    )
    return {
        "waiting": waiting[:HOME_LIST_SIZE],
        "waiting_more": len(waiting) > HOME_LIST_SIZE,
        "sent_back": list(sent_back),
        "confirmed": list(confirmed),
    }


UPCOMING_SINCE = datetime.timedelta(hours=3)


def member_home(*, user, village_ids) -> dict:
    """A roundtable member's part of the workspace home, in four queries: the roundtables where the user
    has a seat (in villages where the user holds a role), each with its next meetings and their agendas,
    and the matters of those roundtables open for opinions (step 2, of a group the roundtable covers)."""
    if not village_ids:
        return {"roundtables": [], "open_for_opinions": []}
    now = clock.now()
    upcoming = (
        Meeting.objects.filter(state=Meeting.State.SCHEDULED, starts_at__gte=now - UPCOMING_SINCE)
        .select_related("chair")
        .prefetch_related(
            Prefetch("agenda", queryset=AgendaItem.objects.select_related("issue").order_by("order", "pk"))
        )
        .order_by("starts_at", "pk")
    )
    roundtables = list(
        Roundtable.objects.filter(village_id__in=village_ids, members__user=user, members__is_active=True)
        .select_related("village", "group")
        .prefetch_related(Prefetch("meetings", queryset=upcoming[:3], to_attr="upcoming"))
        .distinct()
        .order_by("village__code", "group__order", "name")
    )
    covers = Q()
    for roundtable in roundtables:
        area = Q(village_id=roundtable.village_id)
        if roundtable.group_id:
            area &= Q(group_id=roundtable.group_id)
        covers |= area
    open_for_opinions = (
        list(
            Issue.objects.filter(covers, stage=Stage.SOLICITING)
            .select_related("village", "group")
            .annotate(opinion_count=Count("opinions"))
            .order_by("stage_due_at", "pk")[:20]
        )
        if roundtables
        else []
    )
    return {"roundtables": roundtables, "open_for_opinions": open_for_opinions}


def official_home(*, village_ids) -> dict:
    """An official's part of the workspace home: how many open matters of these villages are escalated
    (督办) and how many are overdue — the rows of the dashboards' escalated and overdue lists."""
    if not village_ids:
        return {"escalated": 0, "overdue": 0}
    open_issues = Issue.objects.filter(village_id__in=village_ids, stage__in=OPEN_STAGE_LIST)
    return {
        "escalated": open_issues.filter(escalated_at__isnull=False).count(),
        "overdue": open_issues.filter(stage_due_at__lt=clock.now()).count(),
    }


def staff_search(*, text: str, village_ids, personal_village_ids):
    """The workspace search across the villages a user may see (``issue_search_q``), newest first.

    On PostgreSQL a ``NewestFirstSearch``, which reads a page from the newest matters when they hold it;
    elsewhere a queryset."""
    text = strip_controls(text).strip()
    village_ids = frozenset(village_ids)
    if not text or not village_ids:
        return Issue.objects.none()
    matches = (
        Issue.objects.filter(
            issue_search_q(text, personal_village_ids=personal_village_ids, village_ids=village_ids)
        )
        .filter(village_id__in=village_ids)
        # Fetched for the page's rows only: a join would be made for every match before the sort.
        .prefetch_related("village", "group")
        .order_by("-created_at", "-pk")
    )
    if settings.IS_POSTGRES:
        plain = issue_search_q(
            text, personal_village_ids=personal_village_ids, village_ids=village_ids, with_indexes=False
        )
        return NewestFirstSearch(matches, plain=plain, village_ids=village_ids)
    return matches


# What a row of the search's results shows (portal/workspace_search.html).
SEARCH_ROW_COLUMNS = (
    "village__code",
    "village__name",
    "group__name",
    "title",
    "stage",
    "created_at",
    "is_anonymous",
    "raiser_name",
    "raiser_mobile",
)

# How many of the scope's newest matters a page of the search reads before it asks the indexes instead.
SEARCH_WALK_ROWS = 5000


class NewestFirstSearch:
    """The workspace search, newest first, for ``core.pagination.CappedPaginator``.

    The indexes find every match of a word wherever it is in the district's history, and the newest 25
    of them then need every match read and sorted: a common word costs what its history holds (over a
    district, 1,700 matches at 50,000 matters, 33,600 at 1,000,000). Instead the search walks the scope's
    newest SEARCH_WALK_ROWS matters in order (a few villages: each village's newest off
    ``issue_village_recent``, merged; a district: the ``created_at`` index), tests each with the plain
    substring test and stops as soon as it has enough.

    The count (``count_up_to``) is one such walk for the numbers of the first ``cap + 1`` matches, which
    then give the first pages too (fetched by number). When the walk ends before that many matches, either
    it read the whole scope (a small township: the numbers are all the matches) or the scope has more
    matters than the walk reads: then the word is rare lately and the indexes count and page it (fewer
    matches than the cap, cheap to read and sort). A page deeper than the cap walks again, or asks the
    indexes when the walk cannot hold it."""

    ordered = True

    def __init__(self, matches, *, plain: Q, village_ids):
        self.matches = matches
        self.plain = plain
        self.village_ids = sorted(village_ids)
        self.head = None  # the numbers of the newest matches, from count_up_to
        self.complete = False  # whether head holds every match of the scope
        self.many = True  # whether there are at least as many matches as counted up to
        self.walked = None  # how the last page was read: True (newest first) or False (the indexes)

    def count_up_to(self, limit: int) -> int:
        """The number of matches up to ``limit`` (the paginator's cap + 1)."""
        rows = self._walk(limit, fields="id", sentinel=True)
        self.head = [pk for pk, matched, _place in rows if matched][:limit]
        window_full = any(place == SEARCH_WALK_ROWS for _pk, _matched, place in rows)
        self.many = len(self.head) >= limit
        self.complete = not self.many and not window_full
        if self.many or self.complete:
            return len(self.head)
        self.head = None  # the scope is larger than the walk: the indexes have the matches
        return self.matches.order_by()[:limit].count()

    def count(self):
        return self.matches.count()

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step is not None or item.start is None or item.stop is None:
            raise TypeError("NewestFirstSearch is read by pages (a slice with a start and a stop).")
        start, stop = item.start, item.stop
        if self.head is not None and (self.complete or stop <= len(self.head)):
            self.walked = True
            numbers = self.head[start:stop]
            by_number = (
                Issue.objects.select_related("village", "group").only(*SEARCH_ROW_COLUMNS).in_bulk(numbers)
            )
            rows = [by_number[pk] for pk in numbers if pk in by_number]
        else:
            # Past the counted matches: walk again for a common word, else (or too deep) the indexes.
            rows = self._walk(stop) if self.many and stop <= SEARCH_WALK_ROWS else []
            self.walked = len(rows) == stop
            if not self.walked:
                return list(self.matches[start:stop])
            rows = rows[start:stop]
        prefetch_related_objects(rows, "village", "group")
        return rows

    def _walk(self, stop: int, *, fields: str = "*", sentinel: bool = False) -> list:
        """The first ``stop`` matches among the scope's SEARCH_WALK_ROWS newest matters (fewer if they
        hold fewer): whole issues, or with ``fields="id"`` their numbers only. With ``sentinel``, rows of
        (number, whether it matches, place in the walk), among them the walk's last matter whether it
        matches or not, when the walk reads that far: so a walk that ends early tells whether it read the
        whole scope."""
        query = Issue.objects.filter(self.plain).query
        where, params = query.get_compiler(connection=connection).compile(query.where)
        # The inner LIMIT bounds the walk; the outer one stops it as soon as the page is full. The
        # subquery is named after the table, so the filter's qualified column names read its rows.
        # All of it fixed text and Django's compiled filter; every value is a parameter.
        newest = "ORDER BY created_at DESC, id DESC LIMIT %s"
        columns = "*"
        if sentinel or fields != "*":
            # The walk carries the columns the filter reads, not whole rows: sorted and numbered through the
            # window, whole matters (a description, a photo's path, …) made it a third slower (issue 13).
            read = set(re.findall(r'"roundtable_issue"\."(\w+)"', where)) - {"id", "created_at"}
            columns = ", ".join(["id", "created_at", *sorted(read)])
        if len(self.village_ids) <= KEYED_VILLAGES_MAX:
            # Each village's newest rows off its index, merged in order: the scope's newest are among them.
            branch = f"(SELECT {columns} FROM roundtable_issue WHERE village_id = %s " + newest + ")"  # noqa: S608
            branches = " UNION ALL ".join([branch] * len(self.village_ids))
            scope = "SELECT * FROM (" + branches + ") AS v " + newest  # noqa: S608
            scope_values = [value for pk in self.village_ids for value in (pk, SEARCH_WALK_ROWS)]
        else:
            scope = f"SELECT {columns} FROM roundtable_issue WHERE village_id = ANY(%s) " + newest  # noqa: S608
            scope_values = [self.village_ids]
        if sentinel:
            # Each matter with its place in the walk and whether it matches; the matches and the last place.
            sql = f"""
                SELECT id, matched, place FROM (
                    SELECT roundtable_issue.id, roundtable_issue.created_at, ({where}) AS matched,
                        row_number() OVER (ORDER BY created_at DESC, id DESC) AS place
                    FROM ({scope}) AS roundtable_issue
                ) AS walk
                WHERE matched OR place = %s
                ORDER BY created_at DESC, id DESC LIMIT %s
            """  # noqa: S608
            values = [*params, *scope_values, SEARCH_WALK_ROWS, SEARCH_WALK_ROWS, stop + 1]
        else:
            sql = f"""
                SELECT roundtable_issue.{fields} FROM ({scope}) AS roundtable_issue
                WHERE {where}
                ORDER BY created_at DESC, id DESC LIMIT %s
            """  # noqa: S608
            values = [*scope_values, SEARCH_WALK_ROWS, *params, stop]
        # Prepared (core.db.prepared_statements): its plan is the same whatever its values (sorts and bitmaps
        # are off), and planning a township's twenty merged villages took a millisecond and a half. Not the
        # walk of whole rows (``SELECT *``): a prepared ``*`` fails once a migration adds a column.
        prepared = prepared_statements() if fields != "*" else contextlib.nullcontext()
        with prepared, transaction.atomic(), connection.cursor() as cursor:
            # Read in order off the indexes, so that the walk stops when the page is full: a bitmap of a
            # whole village and a sort (what the planner picks for a window as big as a village) read all;
            # and in this process (parallel workers cost more to start than such a walk takes).
            cursor.execute(
                "SELECT set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true),"
                " set_config('max_parallel_workers_per_gather', '0', true)"
            )
            if fields == "*":
                return list(Issue.objects.raw(sql, values))
            cursor.execute(sql, values)
            return cursor.fetchall()
