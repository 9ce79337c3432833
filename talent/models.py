from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import mobile_validator
from core.fields import BlindIndexField, EncryptedCharField

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character of an 18-digit resident ID number."""
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> None:
    """A mainland resident ID number: 18 characters whose last one checks out (GB 11643)."""
    value = (value or "").upper()
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        raise ValidationError(_("Enter an 18-character resident ID number."), code="id_format")
    if id_check_digit(value[:17]) != value[17]:
        raise ValidationError(_("This ID number's check digit is wrong; please check it."), code="id_check")


class Gender(models.TextChoices):
    MALE = "m", _("male")
    FEMALE = "f", _("female")


class Education(models.TextChoices):
    PRIMARY = "primary", _("primary school")
    JUNIOR = "junior", _("junior middle school")
    SENIOR = "senior", _("senior or vocational school")
    COLLEGE = "college", _("junior college")
    BACHELOR = "bachelor", _("bachelor's degree")
    POSTGRADUATE = "postgraduate", _("postgraduate")


# A graduate (大学生) has studied at a college or university; a degree (本科学历) means bachelor or above.
GRADUATE_LEVELS = frozenset({Education.COLLEGE, Education.BACHELOR, Education.POSTGRADUATE})
DEGREE_LEVELS = frozenset({Education.BACHELOR, Education.POSTGRADUATE})

birth_year_validators = [
    MinValueValidator(1920, message=_("Enter a birth year after 1920.")),
    MaxValueValidator(2100, message=_("Enter a real birth year.")),
]


class Skill(models.TextChoices):
    FARMING = "farming", _("farming technique")
    MANAGEMENT = "management", _("management")
    ECOMMERCE = "ecommerce", _("e-commerce")
    TOURISM = "tourism", _("tourism")
    ARTS = "arts", _("arts and culture")
    LAW = "law", _("law")
    MEDICINE = "medicine", _("medicine")
    BUILDING = "building", _("building")
    FINANCE = "finance", _("finance")
    OTHER = "other", _("other")


class Talent(models.Model):
    """A person in the "一懂两爱" rural talent pool; personal data is shown whole only to own cadres."""

    class Assessment(models.TextChoices):
        PENDING = "pending", _("not yet assessed")
        QUALIFIED = "qualified", _("qualified")
        GOOD = "good", _("good")
        EXCELLENT = "excellent", _("excellent")

    village = models.ForeignKey(
        "villages.Village", on_delete=models.PROTECT, related_name="talents", verbose_name=_("village")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), validators=birth_year_validators)
    education = models.CharField(_("education"), max_length=12, choices=Education.choices)
    mobile = EncryptedCharField(_("mobile number"), max_length=11, blank=True, validators=[mobile_validator])
    id_number = EncryptedCharField(_("ID number"), max_length=18, blank=True, validators=[validate_id_number])
    # Keyed hashes: a person is found (and a duplicate noticed) by number without storing it in clear.
    mobile_hash = BlindIndexField(_("mobile number (keyed hash)"), source="mobile")
    id_number_hash = BlindIndexField(_("ID number (keyed hash)"), source="id_number")
    is_party_member = models.BooleanField(_("Party member"), default=False)
    is_returned = models.BooleanField(
        _("returned talent"), default=False, help_text=_("Came back to the village after working elsewhere.")
    )
    is_reserve_cadre = models.BooleanField(_("reserve cadre"), default=False)
    assessment = models.CharField(
        _("talent assessment"),
        max_length=10,
        choices=Assessment.choices,
        default=Assessment.PENDING,
        help_text=_("Understands agriculture, loves the countryside, loves farmers."),
    )
    roundtable = models.ForeignKey(
        "roundtable.Roundtable",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="talents",
        verbose_name=_("roundtable membership"),
    )
    specialty = models.CharField(_("specialty"), max_length=200, blank=True)
    consent_date = models.DateField(
        _("consent given on"),
        null=True,
        blank=True,
        help_text=_("The day the person agreed to be listed; required to keep a mobile or ID number."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("talent")
        verbose_name_plural = _("talents")
        ordering = ["village", "name"]
        indexes = [models.Index(fields=["village", "name"], name="talent_village_name")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(mobile="") & Q(id_number="")) | Q(consent_date__isnull=False),
                name="talent_personal_data_needs_consent",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        this_year = timezone.localdate().year
        if self.birth_year and self.birth_year > this_year - 16:
            errors["birth_year"] = _("A talent must be at least 16 years old.")
        if self.id_number:
            self.id_number = self.id_number.upper()
        if (self.mobile or self.id_number) and not self.consent_date:
            errors["consent_date"] = _(
                "Record the day the person agreed before keeping a mobile or ID number."
            )
        if self.consent_date and self.consent_date > timezone.localdate():
            errors["consent_date"] = _("This date is in the future.")
        if self.roundtable_id and self.village_id and self.roundtable.village_id != self.village_id:
            errors["roundtable"] = _("Choose a roundtable of the talent's own village.")
        if errors:
            raise ValidationError(errors)

    @property
    def skill_codes(self) -> list[str]:
        return [s.skill for s in self.skills.all()]

    def skill_labels(self) -> list[str]:
        return [str(Skill(s.skill).label) for s in self.skills.all()]


class TalentSkill(models.Model):
    """One skill of a talent (a person may have several)."""

    talent = models.ForeignKey(
        Talent, on_delete=models.CASCADE, related_name="skills", verbose_name=_("talent")
    )
    skill = models.CharField(_("skill"), max_length=12, choices=Skill.choices, db_index=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["talent", "skill"]
        constraints = [models.UniqueConstraint("talent", "skill", name="talent_skill_unique")]

    def __str__(self):
        return self.get_skill_display()


class AdvisoryCouncil(models.Model):
    """A village's red advisory council (红色参事会), drawn from its roundtables' backbones."""

    village = models.OneToOneField(
        "villages.Village",
        on_delete=models.CASCADE,
        related_name="advisory_council",
        verbose_name=_("village"),
    )
    name = models.CharField(_("name"), max_length=100)
    founded = models.DateField(_("founded"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("red advisory council")
        verbose_name_plural = _("red advisory councils")
        ordering = ["village"]

    def __str__(self):
        return self.name


class CouncilMember(models.Model):
    """A seat on a red advisory council."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("chair")
        VICE_CHAIR = "vice_chair", _("vice chair")
        SECRETARY = "secretary", _("secretary-general")
        MEMBER = "member", _("member")

    council = models.ForeignKey(
        AdvisoryCouncil, on_delete=models.CASCADE, related_name="members", verbose_name=_("council")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    talent = models.ForeignKey(
        Talent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="council_seats",
        verbose_name=_("in the talent pool as"),
    )
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    joined = models.DateField(_("joined"), null=True, blank=True)

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["council", "pk"]
        constraints = [models.UniqueConstraint("council", "name", name="council_member_unique_name")]

    def __str__(self):
        return self.name


class CommitteeTerm(models.Model):
    """A term of a village's two committees (两委: Party branch and villagers' committee)."""

    village = models.ForeignKey(
        "villages.Village",
        on_delete=models.CASCADE,
        related_name="committee_terms",
        verbose_name=_("village"),
    )
    year = models.PositiveSmallIntegerField(
        _("election year"), validators=[MinValueValidator(1980), MaxValueValidator(2100)]
    )
    elected_on = models.DateField(_("elected on"), null=True, blank=True)
    petitions = models.PositiveSmallIntegerField(
        _("petitions about the election"), default=0, help_text=_("信访 cases the election gave rise to.")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("committee term")
        verbose_name_plural = _("committee terms")
        ordering = ["village", "-year"]
        constraints = [models.UniqueConstraint("village", "year", name="committee_term_unique_year")]

    def __str__(self):
        return f"{self.village} {self.year}"


class CommitteeMember(models.Model):
    """A member of a village's two committees in one term; birth year and education feed the statistics."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", _("Party branch secretary")
        DEPUTY_SECRETARY = "deputy_secretary", _("deputy Party branch secretary")
        DIRECTOR = "director", _("villagers' committee director")
        DEPUTY_DIRECTOR = "deputy_director", _("deputy director")
        BRANCH_MEMBER = "branch_member", _("Party branch committee member")
        COMMITTEE_MEMBER = "committee_member", _("villagers' committee member")

    term = models.ForeignKey(
        CommitteeTerm, on_delete=models.CASCADE, related_name="members", verbose_name=_("term")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), validators=birth_year_validators)
    education = models.CharField(_("education"), max_length=12, choices=Education.choices)
    from_roundtable = models.BooleanField(
        _("from a roundtable"), default=False, help_text=_("Was a party-mass roundtable member when elected.")
    )

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["term", "pk"]
        constraints = [models.UniqueConstraint("term", "name", name="committee_member_unique_name")]

    def __str__(self):
        return self.name

    @property
    def age_at_election(self) -> int:
        return self.term.year - self.birth_year

    def clean(self):
        if self.term_id and self.birth_year and self.term.year - self.birth_year < 18:
            raise ValidationError(
                {"birth_year": _("A committee member is at least 18 years old when elected.")},
                code="too_young",
            )
