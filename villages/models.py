from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    """A district or county (区/县) above townships: its officials compare every township of it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Township(models.Model):
    """A township (镇) of a district: its officials see all of its villages."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="townships",
        verbose_name=_("district"),
    )
    # Stage time limits in days, configurable per township (DESIGN §3).
    limit_raised_days = models.PositiveSmallIntegerField(_("days for step 1 (raised)"), default=3)
    limit_soliciting_days = models.PositiveSmallIntegerField(_("days for step 2 (soliciting)"), default=7)
    limit_deliberating_days = models.PositiveSmallIntegerField(
        _("days for step 3 (deliberating)"), default=14
    )
    limit_supervising_days = models.PositiveSmallIntegerField(_("days for step 6 (supervising)"), default=7)

    class Meta:
        verbose_name = _("township")
        verbose_name_plural = _("townships")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Village(models.Model):
    """An administrative village (行政村) of a township; its pinyin code appears in public URLs."""

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="villages", verbose_name=_("township")
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Pinyin used in addresses such as /v/xindong/; never change it once printed."),
    )
    population = models.PositiveIntegerField(_("population"), default=0)
    households = models.PositiveIntegerField(_("households"), default=0)
    party_secretary = models.CharField(_("Party branch secretary"), max_length=50, blank=True)
    roundtable_founded = models.DateField(_("roundtable founded"), null=True, blank=True)
    is_pilot = models.BooleanField(_("pilot village"), default=False)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["-is_pilot", "code"]
        constraints = [
            models.UniqueConstraint("township", "name", name="village_unique_name_in_township"),
            models.UniqueConstraint(Lower("code"), name="village_code_ci_unique"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("villages:detail", kwargs={"code": self.code})


class VillageGroup(models.Model):
    """A village group (村民小组) or area (片区): the level at which roundtables sit."""

    class Kind(models.TextChoices):
        GROUP = "group", _("village group")
        AREA = "area", _("area")

    village = models.ForeignKey(
        Village, on_delete=models.CASCADE, related_name="groups", verbose_name=_("village")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GROUP)
    households = models.PositiveIntegerField(_("households"), default=0)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("village group or area")
        verbose_name_plural = _("village groups and areas")
        ordering = ["village", "order", "name"]
        constraints = [
            models.UniqueConstraint("village", "name", name="group_unique_name_in_village"),
        ]

    def __str__(self):
        return self.name
