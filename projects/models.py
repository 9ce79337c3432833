from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0")
# A village whose collective income is below this is "weak" (薄弱村); at zero it is a "shell" (空壳村).
WEAK_INCOME_THRESHOLD = Decimal("100000")

money_validators = [MinValueValidator(ZERO, message=_("Amounts cannot be negative."))]
area_validators = [MinValueValidator(ZERO, message=_("Areas cannot be negative."))]


def money_field(verbose_name, **kwargs):
    """Yuan as an exact decimal: up to 999,999,999,999.99."""
    return models.DecimalField(
        verbose_name, max_digits=14, decimal_places=2, validators=money_validators, **kwargs
    )


def area_field(verbose_name, **kwargs):
    """An area in 亩 (mu), two decimals."""
    return models.DecimalField(
        verbose_name,
        max_digits=12,
        decimal_places=2,
        validators=area_validators,
        null=True,
        blank=True,
        **kwargs,
    )


class Partner(models.Model):
    """A social force (the S of 1+1+S) working with the township's villages."""

    class Kind(models.TextChoices):
        MEDIA = "media", _("news media")
        UNIVERSITY = "university", _("university or institute")
        CHAMBER = "chamber", _("chamber of commerce")
        INTERNET = "internet", _("internet company")
        CHARITY = "charity", _("charity")
        ENTERPRISE = "enterprise", _("enterprise")
        OTHER = "other", _("other")

    township = models.ForeignKey(
        "villages.Township", on_delete=models.CASCADE, related_name="partners", verbose_name=_("township")
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = models.TextField(_("what they do with us"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    website = models.URLField(_("website"), blank=True)
    since = models.DateField(_("working with us since"), null=True, blank=True)
    villages = models.ManyToManyField(
        "villages.Village", blank=True, related_name="partners", verbose_name=_("villages")
    )
    roundtables = models.ManyToManyField(
        "roundtable.Roundtable", blank=True, related_name="partners", verbose_name=_("roundtables")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [models.UniqueConstraint("township", "name", name="partner_unique_name_in_township")]

    def __str__(self):
        return self.name


class Project(models.Model):
    """A featured development project of one village (and possibly its neighbours)."""

    class Category(models.TextChoices):
        TOURISM = "tourism", _("rural tourism")
        AGRICULTURE = "agriculture", _("specialty agriculture")
        COOPERATIVE = "cooperative", _("cooperative")
        ECOMMERCE = "ecommerce", _("e-commerce")
        INFRASTRUCTURE = "infrastructure", _("infrastructure")
        CULTURE = "culture", _("culture")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        PLANNING = "planning", _("planning")
        APPROVED = "approved", _("approved")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")
        SUSPENDED = "suspended", _("suspended")

    village = models.ForeignKey(
        "villages.Village",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("lead village"),
        help_text=_("Its cadres keep the project's record."),
    )
    other_villages = models.ManyToManyField(
        "villages.Village",
        blank=True,
        related_name="joint_projects",
        verbose_name=_("other villages"),
        help_text=_("Neighbouring villages the project also covers."),
    )
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    origin_issue = models.ForeignKey(
        "roundtable.Issue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("roundtable matter it came from"),
    )
    planning_partner = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planned_projects",
        verbose_name=_("planned by"),
    )
    partners = models.ManyToManyField(
        Partner, blank=True, related_name="projects", verbose_name=_("other partners")
    )
    land_area_mu = area_field(_("land area (mu)"))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("planned completion"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(
        _("shown on the public village page"),
        default=True,
        help_text=_("Untick for projects under negotiation."),
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
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["village", "name"]
        constraints = [
            models.UniqueConstraint("village", "name", name="project_unique_name_in_village"),
            models.CheckConstraint(condition=Q(land_area_mu__gte=0), name="project_area_not_negative"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="project_dates_in_order",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {"end_date": _("The planned completion cannot be before the start date.")}, code="dates_order"
            )


class Funding(models.Model):
    """One funding line of a project: its source, the amount intended (意向) and landed (到位)."""

    class Source(models.TextChoices):
        FISCAL = "fiscal", _("fiscal funds")
        VILLAGER_CASH = "villager_cash", _("villagers' cash")
        VILLAGER_LAND = "villager_land", _("villagers' land or in kind")
        SOCIAL_CAPITAL = "social_capital", _("social capital")
        RETURNING_TALENT = "returning_talent", _("returning talent")
        POVERTY_ALLEVIATION = "poverty_alleviation", _("poverty alleviation")
        OTHER = "other", _("other")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="fundings", verbose_name=_("project")
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    amount_intended = money_field(_("amount intended (yuan)"), default=ZERO)
    amount_landed = money_field(_("amount landed (yuan)"), default=ZERO)
    land_mu = area_field(
        _("land contributed (mu)"), help_text=_("For villagers' land or in-kind contributions.")
    )
    date = models.DateField(_("date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Landed above intended happens (a donor adds more) but is more often a typing slip: it must be confirmed.
    over_intended_confirmed = models.BooleanField(_("landed above intended confirmed"), default=False)

    class Meta:
        verbose_name = _("funding line")
        verbose_name_plural = _("funding lines")
        ordering = ["project", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_intended__gte=0), name="funding_intended_not_negative"),
            models.CheckConstraint(condition=Q(amount_landed__gte=0), name="funding_landed_not_negative"),
            models.CheckConstraint(condition=Q(land_mu__gte=0), name="funding_land_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_landed__lte=models.F("amount_intended")) | Q(over_intended_confirmed=True),
                name="funding_landed_above_intended_confirmed",
            ),
        ]

    def __str__(self):
        return f"{self.project} · {self.get_source_display()}"

    @property
    def is_over_intended(self) -> bool:
        return (self.amount_landed or ZERO) > (self.amount_intended or ZERO)

    def clean(self):
        if self.is_over_intended and not self.over_intended_confirmed:
            raise ValidationError(
                {
                    "over_intended_confirmed": _(
                        "The landed amount is above the intended amount. Tick the box to confirm it is right."
                    )
                },
                code="over_intended",
            )
        if not self.is_over_intended:
            self.over_intended_confirmed = False
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("This date is in the future.")}, code="future")


class Milestone(models.Model):
    """A step of a project with its progress in percent."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("project")
    )
    title = models.CharField(_("milestone"), max_length=120)
    due_date = models.DateField(_("due"), null=True, blank=True)
    done_date = models.DateField(_("done on"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="milestone_progress_at_most_100"),
            models.CheckConstraint(
                condition=Q(done_date__isnull=True) | Q(progress=100), name="milestone_done_means_100"
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.done_date:
            if self.done_date > timezone.localdate():
                raise ValidationError({"done_date": _("This date is in the future.")}, code="future")
            if self.progress != 100:
                raise ValidationError(
                    {"progress": _("A milestone that is done is at 100%.")}, code="done_not_100"
                )


class Cooperative(models.Model):
    """A farmers' cooperative (合作社) of a village."""

    class Kind(models.TextChoices):
        HERBS = "herbs", _("medicinal herbs")
        FOOD = "food", _("food")
        FLOWERS = "flowers", _("flowers")
        SEEDLINGS = "seedlings", _("seedlings and nursery trees")
        LIVESTOCK = "livestock", _("livestock")
        OTHER = "other", _("other")

    village = models.ForeignKey(
        "villages.Village", on_delete=models.CASCADE, related_name="cooperatives", verbose_name=_("village")
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    members = models.PositiveIntegerField(_("members (households)"), default=0)
    founded = models.DateField(_("founded"), null=True, blank=True)
    leader = models.CharField(_("head"), max_length=50, blank=True)
    products = models.CharField(_("main products"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("cooperative")
        verbose_name_plural = _("cooperatives")
        ordering = ["village", "name"]
        constraints = [models.UniqueConstraint("village", "name", name="cooperative_unique_name_in_village")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.founded and self.founded > timezone.localdate():
            raise ValidationError({"founded": _("This date is in the future.")}, code="future")


class Resource(models.Model):
    """An entry of a village's resource inventory (资源清单): natural, historic, cultural, land, water."""

    class Kind(models.TextChoices):
        NATURAL = "natural", _("natural")
        HISTORIC = "historic", _("historic")
        CULTURAL = "cultural", _("cultural")
        LAND = "land", _("land")
        WATER = "water", _("water")
        OTHER = "other", _("other")

    village = models.ForeignKey(
        "villages.Village", on_delete=models.CASCADE, related_name="resources", verbose_name=_("village")
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    area_mu = area_field(_("area (mu)"))
    location = models.CharField(_("location"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["village", "kind", "name"]
        constraints = [
            models.UniqueConstraint("village", "name", name="resource_unique_name_in_village"),
            models.CheckConstraint(condition=Q(area_mu__gte=0), name="resource_area_not_negative"),
        ]

    def __str__(self):
        return self.name


class CollectiveIncome(models.Model):
    """A village's collective economic income (村集体经济收入) in one year."""

    village = models.ForeignKey(
        "villages.Village",
        on_delete=models.CASCADE,
        related_name="collective_incomes",
        verbose_name=_("village"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1980), MaxValueValidator(2100)]
    )
    amount = money_field(_("income (yuan)"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("collective income")
        verbose_name_plural = _("collective incomes")
        ordering = ["village", "-year"]
        constraints = [
            models.UniqueConstraint("village", "year", name="income_unique_year_in_village"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="income_not_negative"),
        ]

    def __str__(self):
        return f"{self.village} {self.year}"

    def clean(self):
        if self.year and self.year > timezone.localdate().year:
            raise ValidationError({"year": _("This year has not begun yet.")}, code="future")
