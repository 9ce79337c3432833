import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import mobile_validator
from core import clock
from core.fields import BlindIndexField, EncryptedCharField
from core.models import choice_display

# Crockford-style alphabet: no 0/O, 1/I/L, U; a code survives being read aloud or copied by hand.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
TRACKING_LENGTH = 12


def new_tracking_code() -> str:
    """An unguessable tracking code: 12 symbols of 30, about 59 bits from the system's CSPRNG."""
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


class Stage(models.TextChoices):
    RAISED = "raised", _("Residents raise it")
    SOLICITING = "soliciting", _("Opinions are solicited")
    DELIBERATING = "deliberating", _("The roundtable deliberates")
    DECIDED = "decided", _("The meeting decides")
    EXECUTING = "executing", _("The work is carried out")
    SUPERVISING = "supervising", _("The work is supervised")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")
    WITHDRAWN = "withdrawn", _("Withdrawn")


STEPS = [
    Stage.RAISED,
    Stage.SOLICITING,
    Stage.DELIBERATING,
    Stage.DECIDED,
    Stage.EXECUTING,
    Stage.SUPERVISING,
]
OPEN_STAGES = frozenset(STEPS)
# The open stages as one fixed list: a partial index's condition and the queries it serves must spell the
# same ``stage IN (…)`` for PostgreSQL to prove the index applies (a frozenset's order varies by process).
OPEN_STAGE_LIST = [str(stage) for stage in STEPS]
TERMINAL_STAGES = frozenset({Stage.CLOSED, Stage.REJECTED, Stage.MERGED, Stage.WITHDRAWN})
STEP_NUMBER = {stage: n for n, stage in enumerate(STEPS, start=1)}
# The practice's own four-character names, shown next to the translated label.
STEP_HANZI = {
    Stage.RAISED: "群众提事",
    Stage.SOLICITING: "征求论事",
    Stage.DELIBERATING: "圆桌议事",
    Stage.DECIDED: "会议定事",
    Stage.EXECUTING: "集中办事",
    Stage.SUPERVISING: "制度监事",
}


class Roundtable(models.Model):
    """A party-mass roundtable (党群圆桌会) of one village group or area, or of the whole village."""

    village = models.ForeignKey(
        "villages.Village", on_delete=models.CASCADE, related_name="roundtables", verbose_name=_("village")
    )
    group = models.ForeignKey(
        "villages.VillageGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roundtables",
        verbose_name=_("group or area"),
        help_text=_("Empty for a roundtable of the whole village."),
    )
    name = models.CharField(_("name"), max_length=100)
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="liaison_roundtables",
        verbose_name=_("township liaison"),
    )
    founded = models.DateField(_("founded"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("roundtable")
        verbose_name_plural = _("roundtables")
        ordering = ["village", "name"]
        constraints = [models.UniqueConstraint("village", "name", name="roundtable_unique_name_in_village")]

    def __str__(self):
        return self.name

    def covers(self, group_id) -> bool:
        """A whole-village roundtable covers every group; a group's roundtable covers its own."""
        return self.group_id is None or self.group_id == group_id


class RoundtableMember(models.Model):
    """A person sitting on a roundtable; an account is optional (most members have none)."""

    class Role(models.TextChoices):
        PARTY_MEMBER = "party_member", _("Party member")
        GROUP_LEADER = "group_leader", _("group leader")
        REPRESENTATIVE = "representative", _("villager representative")
        TALENT = "talent", _("local talent")
        OTHER = "other", _("other")

    roundtable = models.ForeignKey(
        Roundtable, on_delete=models.CASCADE, related_name="members", verbose_name=_("roundtable")
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_party_member = models.BooleanField(
        _("Party member"),
        default=False,
        help_text=_("Chairing rotates between Party members and non-members."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roundtable_seats",
        verbose_name=_("account"),
    )
    mobile = EncryptedCharField(_("mobile number"), max_length=11, blank=True, validators=[mobile_validator])
    email = models.EmailField(_("e-mail address"), blank=True)
    joined = models.DateField(_("joined"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("roundtable member")
        verbose_name_plural = _("roundtable members")
        ordering = ["roundtable", "-is_party_member", "name"]

    def __str__(self):
        return self.name


class Meeting(models.Model):
    """A roundtable meeting: time, place, chair, agenda, attendance, minutes."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    roundtable = models.ForeignKey(
        Roundtable, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("roundtable")
    )
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200)
    chair = models.ForeignKey(
        RoundtableMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chaired_meetings",
        verbose_name=_("chair"),
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.SCHEDULED)
    minutes = models.TextField(_("minutes"), blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    # Held on paper and entered later: its time lies before the moment it was recorded (``created_at``).
    entered_afterwards = models.BooleanField(
        _("entered afterwards"),
        default=False,
        help_text=_("The meeting was held (on paper) before it was entered in the portal."),
    )
    # Who chaired when the chair was not present (chosen among the members present).
    substitute_chair = models.ForeignKey(
        RoundtableMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("substitute chair"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Bumped whenever the time changes, so reminders queued for an older time can tell they are stale.
    schedule_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["state", "starts_at"])]

    def __str__(self):
        return f"{self.roundtable} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def is_locked(self) -> bool:
        return self.signed_off_at is not None

    @property
    def presiding(self):
        """Who chaired the meeting: the substitute when the chair was absent, else the chair."""
        return self.substitute_chair or self.chair

    # For templates, which cannot name the State enum.
    @property
    def is_scheduled(self) -> bool:
        return self.state == self.State.SCHEDULED

    @property
    def is_held(self) -> bool:
        return self.state == self.State.HELD

    @property
    def is_cancelled(self) -> bool:
        return self.state == self.State.CANCELLED


class AgendaItem(models.Model):
    """One point on a meeting's agenda: an issue, or a free topic."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("pending")
        DECIDED = "decided", _("resolution passed")
        DEFERRED = "deferred", _("deferred")
        NOT_ADOPTED = "not_adopted", _("not adopted")
        DISCUSSED = "discussed", _("discussed")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("meeting")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    issue = models.ForeignKey(
        "Issue",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("issue"),
    )
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    discussion = models.TextField(_("discussion notes"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(issue__isnull=False) | ~Q(topic=""), name="agenda_issue_or_topic"
            ),
            models.UniqueConstraint("meeting", "issue", name="agenda_issue_once_per_meeting"),
        ]

    def __str__(self):
        return self.topic or str(self.issue)


class Attendance(models.Model):
    """Whether a member was present, absent or excused at a meeting (and said they would come)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("present")
        ABSENT = "absent", _("absent")
        EXCUSED = "excused", _("excused")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("meeting")
    )
    member = models.ForeignKey(
        RoundtableMember, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("member")
    )
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed attendance at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint("meeting", "member", name="attendance_once_per_member")]

    def __str__(self):
        return f"{self.member} · {self.get_status_display()}"


class Issue(models.Model):
    """A matter (事项) raised by residents and carried through the six steps."""

    class Category(models.TextChoices):
        LAND_DISPUTE = "land_dispute", _("land dispute")
        NEIGHBOUR_DISPUTE = "neighbour_dispute", _("neighbour dispute")
        PETITION = "petition", _("petition")
        DEVELOPMENT = "development", _("development proposal")
        ENVIRONMENT = "environment", _("environment")
        PARTY_BUILDING = "party_building", _("Party building")
        PUBLIC_SERVICE = "public_service", _("public service")
        OTHER = "other", _("other")

    class Channel(models.TextChoices):
        WEB = "web", _("web form")
        IN_PERSON = "in_person", _("in person")
        PHONE = "phone", _("phone")
        WECHAT = "wechat", _("WeChat")
        LETTER = "letter", _("letter")
        MEMBER = "member", _("roundtable member")

    village = models.ForeignKey(
        "villages.Village", on_delete=models.PROTECT, related_name="issues", verbose_name=_("village")
    )
    group = models.ForeignKey(
        "villages.VillageGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issues",
        verbose_name=_("group or area"),
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.WEB)
    raiser_name = models.CharField(_("raiser's name"), max_length=50, blank=True)
    raiser_mobile = EncryptedCharField(
        _("raiser's mobile number"), max_length=11, blank=True, validators=[mobile_validator]
    )
    # Cadres find a matter by the raiser's number, and a resident recovers codes by it: the keyed hash.
    raiser_mobile_hash = BlindIndexField(_("raiser's mobile number (keyed hash)"), source="raiser_mobile")
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    consent_at = models.DateTimeField(_("consent to personal data given at"), null=True, blank=True)
    consent_version = models.CharField(
        _("consent wording version"),
        max_length=20,
        blank=True,
        help_text=_("The version of the consent text the person agreed to (roundtable/consent.py)."),
    )
    personal_data_erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    photo = models.ImageField(_("photo"), upload_to="issues/%Y/%m/", blank=True)
    tracking_code = models.CharField(
        _("tracking code"), max_length=16, unique=True, default=new_tracking_code, editable=False
    )
    stage = models.CharField(
        _("stage"), max_length=14, choices=Stage.choices, default=Stage.RAISED, db_index=True
    )
    stage_entered_at = models.DateTimeField(_("stage entered at"), default=clock.now)
    stage_due_at = models.DateTimeField(_("stage due at"), null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_issues",
        verbose_name=_("responsible person"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("merged into"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Public consultation (征求论事 in the open): a summary written for the public, never the description.
    consultation_summary = models.TextField(
        _("public summary"),
        max_length=2000,
        blank=True,
        help_text=_("What visitors read: no names, phone numbers or private details."),
    )
    consultation_closes_on = models.DateField(_("consultation closes on"), null=True, blank=True)
    consultation_opened_at = models.DateTimeField(_("opened for public opinions at"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised at"), default=clock.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["village", "-created_at"], name="issue_village_recent"),
            models.Index(fields=["village", "stage", "-created_at"], name="issue_village_stage"),
            models.Index(fields=["stage", "stage_due_at"], name="issue_stage_due"),
            # Overdue lists and counts, in due order across the six open stages, without walking history.
            models.Index(
                fields=["stage_due_at", "id"],
                name="issue_open_due",
                condition=Q(stage__in=OPEN_STAGE_LIST),
            ),
            models.Index(
                fields=["village", "stage_due_at"],
                name="issue_open_village_due",
                condition=Q(stage__in=OPEN_STAGE_LIST),
            ),
            # The escalated (督办) open matters: the official's home counts them, the escalated list
            # shows them; few at any size, unlike the open matters they are among.
            models.Index(
                fields=["village", "stage_due_at"],
                name="issue_open_escalated",
                condition=Q(stage__in=OPEN_STAGE_LIST, escalated_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("roundtable:issue", kwargs={"code": self.village.code, "pk": self.pk})

    get_category_display = choice_display("category", Category.choices)
    get_channel_display = choice_display("channel", Channel.choices)

    @property
    def step(self) -> int | None:
        return STEP_NUMBER.get(self.stage)

    @property
    def step_hanzi(self) -> str:
        return STEP_HANZI.get(self.stage, "")

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def is_merged(self) -> bool:
        return self.stage == Stage.MERGED

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.stage_due_at is not None and self.stage_due_at < clock.now()

    @property
    def is_open_for_opinions(self) -> bool:
        """In step 2, marked for public consultation, and the closing date not passed."""
        return (
            self.stage == Stage.SOLICITING
            and self.consultation_opened_at is not None
            and self.consultation_closes_on is not None
            and self.consultation_closes_on >= clock.localdate()
        )


class IssueTally(models.Model):
    """How many of a village's issues stand at each stage: the totals over history that pages show.

    Kept by the workflow in the same transaction as every move (``workflow.tally_apply``), rebuilt from the
    issues by ``manage.py rebuild_tallies`` (and after the demo's bulk history). The closed stage's row also
    keeps the count and sum of the closed decided matters' ratings (``workflow.tally_rating``)."""

    village = models.ForeignKey(
        "villages.Village", on_delete=models.CASCADE, related_name="+", verbose_name=_("village")
    )
    stage = models.CharField(_("stage"), max_length=14, choices=Stage.choices)
    count = models.IntegerField(_("issues"), default=0)
    # The residents' ratings of these issues that have an adopted resolution (kept on the closed stage's row
    # only: the decisions board's mean rating), how many and their sum; kept with ``workflow.tally_rating``.
    rated = models.IntegerField(_("ratings"), db_default=0)
    rating_total = models.IntegerField(_("sum of ratings"), db_default=0)

    class Meta:
        verbose_name = _("issue count")
        verbose_name_plural = _("issue counts")
        constraints = [
            models.UniqueConstraint(fields=["village", "stage"], name="issue_tally_once_per_stage")
        ]

    def __str__(self):
        return f"{self.village_id} {self.stage}: {self.count}"


class Opinion(models.Model):
    """An opinion gathered in step 2 (征求论事): who, for or against, and what they said."""

    class Stance(models.TextChoices):
        SUPPORT = "support", _("support")
        OPPOSE = "oppose", _("oppose")
        NEUTRAL = "neutral", _("neutral")

    class Source(models.TextChoices):
        RESIDENT = "resident", _("resident")
        MEMBER = "member", _("roundtable member")
        CADRE = "cadre", _("cadre")
        OFFICIAL = "official", _("township official")
        PUBLIC = "public", _("public consultation")
        OTHER = "other", _("other")

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="opinions", verbose_name=_("issue")
    )
    party = models.CharField(_("party"), max_length=80, help_text=_("Who gave the opinion."))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.OTHER)
    stance = models.CharField(_("stance"), max_length=10, choices=Stance.choices)
    text = models.TextField(_("opinion"), max_length=3000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=clock.now)
    # A visitor's opinion from the public consultation: the name is for the cadres only.
    visitor_name = models.CharField(_("visitor's name"), max_length=50, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    reply = models.TextField(_("public reply"), max_length=3000, blank=True)

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.party}: {self.get_stance_display()}"


class Resolution(models.Model):
    """What a meeting resolved on an issue, with the vote and who carries it out by when."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="resolutions", verbose_name=_("meeting")
    )
    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="resolutions", verbose_name=_("issue")
    )
    # The issue's village, kept beside it (the workflow sets it; ``tallies_rebuild`` fills it for rows
    # written around the workflow), so a village's decisions are read newest first from one index
    # instead of walking the district's. Empty only until that rebuild.
    village = models.ForeignKey(
        "villages.Village",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,
        verbose_name=_("village"),
    )
    agenda_item = models.OneToOneField(
        AgendaItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="resolution",
        verbose_name=_("agenda item"),
    )
    text = models.TextField(_("resolution"), max_length=5000)
    votes_for = models.PositiveSmallIntegerField(_("votes for"))
    votes_against = models.PositiveSmallIntegerField(_("votes against"))
    votes_abstain = models.PositiveSmallIntegerField(_("abstentions"))
    adopted = models.BooleanField(_("adopted"), default=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["-created_at"], name="resolution_adopted_recent", condition=Q(adopted=True)),
            # The village page's recent decisions: the village's adopted ones newest first, from the index
            # alone (the index above, across villages, walks the district's decisions to find a village's).
            models.Index(
                fields=["village", "-created_at"], name="resolution_village_recent", condition=Q(adopted=True)
            ),
        ]

    def __str__(self):
        return self.text[:40]


class ProgressUpdate(models.Model):
    """A report on the work in step 5 (集中办事); the last one, marked completion, ends the step."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="progress", verbose_name=_("issue")
    )
    percent = models.PositiveSmallIntegerField(_("percent done"), validators=[MaxValueValidator(100)])
    note = models.TextField(_("note"), max_length=3000)
    photo = models.ImageField(_("photo"), upload_to="progress/%Y/%m/", blank=True)
    is_completion = models.BooleanField(_("completion report"), default=False)
    note_is_public = models.BooleanField(
        _("public note"), default=True, help_text=_("Unticked, the note is internal: only staff read it.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    created_at = models.DateTimeField(_("reported at"), default=clock.now)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.percent}%"

    @property
    def public_note(self) -> str:
        return self.note if self.note_is_public else ""


class SupervisionVerdict(models.Model):
    """A supervisor's step-6 verdict: confirmed, or sent back with a reason."""

    class Verdict(models.TextChoices):
        CONFIRM = "confirm", _("confirmed")
        SEND_BACK = "send_back", _("sent back")

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="verdicts", verbose_name=_("issue")
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("supervisor"),
    )
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    reason = models.TextField(_("reason or remarks"), max_length=3000, blank=True)
    created_at = models.DateTimeField(_("given at"), default=clock.now)

    class Meta:
        verbose_name = _("supervision verdict")
        verbose_name_plural = _("supervision verdicts")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.get_verdict_display()


class Satisfaction(models.Model):
    """The raiser's rating of the outcome, 1 to 5, with an optional comment."""

    issue = models.OneToOneField(
        Issue, on_delete=models.CASCADE, related_name="satisfaction", verbose_name=_("issue")
    )
    score = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("rated at"), default=clock.now)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="satisfaction_1_to_5")
        ]

    def __str__(self):
        return f"{self.score}/5"


class TimelineQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError("The timeline is append-only.")

    def delete(self):
        raise ValidationError("The timeline is append-only.")


class TimelineEntry(models.Model):
    """One append-only line of an issue's history: who moved it from where to where, and why."""

    class Kind(models.TextChoices):
        CREATED = "created", _("raised")
        STAGE = "stage", _("stage change")
        OPINION = "opinion", _("opinion")
        AGENDA = "agenda", _("agenda")
        DEFERRED = "deferred", _("deferred")
        PROGRESS = "progress", _("progress")
        VERDICT = "verdict", _("supervision")
        RATING = "rating", _("rating")
        COMMENT = "comment", _("comment")
        ESCALATION = "escalation", _("escalation")
        ASSIGNED = "assigned", _("assigned")
        OVERDUE = "overdue", _("overdue")
        ERASED = "erased", _("personal data erased")

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="timeline", verbose_name=_("issue")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(
        _("actor"),
        max_length=60,
        blank=True,
        help_text=_("Who acted, as the public may see it (never a resident's name)."),
    )
    from_stage = models.CharField(_("from"), max_length=14, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=14, choices=Stage.choices, blank=True)
    note = models.TextField(_("note"), max_length=5000, blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    # The meeting the entry is about (agenda, move, cancellation, outcome): pages show that meeting's time
    # as it is now, never a time it has since moved from, and whether it was entered afterwards.
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("meeting"),
    )
    # A public entry (the stage moved) may carry a note that is internal: the public sees the move only.
    note_is_public = models.BooleanField(_("public note"), default=True)
    created_at = models.DateTimeField(_("time"), default=clock.now, db_index=True)

    objects = TimelineQuerySet.as_manager()

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["issue", "created_at"], name="timeline_issue_time")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.from_stage}→{self.to_stage}"

    get_kind_display = choice_display("kind", Kind.choices)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("The timeline is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The timeline is append-only.")

    @property
    def public_note(self) -> str:
        """The note as the public may read it: nothing when the note (or the whole entry) is internal."""
        return self.note if self.is_public and self.note_is_public else ""

    @property
    def shows_stage(self) -> bool:
        """The entry records the issue entering a stage (raised, or moved), shown as that stage's badge."""
        return bool(self.to_stage) and self.kind in (self.Kind.STAGE, self.Kind.CREATED)
