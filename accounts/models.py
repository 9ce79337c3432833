from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.fields import BlindIndexField, EncryptedCharField

mobile_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("Enter a mainland mobile number: 11 digits starting with 1.")
)


class UserManager(BaseUserManager):
    """Creates users whose login is their e-mail address."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A staff account (cadre, member, supervisor, official, admin); residents need none."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    mobile = EncryptedCharField(_("mobile number"), max_length=11, blank=True, validators=[mobile_validator])
    mobile_hash = BlindIndexField(_("mobile number (keyed hash)"), source="mobile")
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    notify_by_email = models.BooleanField(_("tell me by e-mail"), default=True)
    notify_by_sms = models.BooleanField(
        _("tell me by text message"),
        default=False,
        help_text=_("Text messages go to the mobile number above."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        permissions = [
            ("reveal_personal_data", _("Can reveal whole mobile and ID numbers in the admin (logged)")),
        ]

    def __str__(self):
        return self.display_name or self.email

    def get_full_name(self):
        return self.display_name or self.email

    def get_short_name(self):
        return self.display_name or self.email.split("@")[0]


class Membership(models.Model):
    """A role a user holds in one village, or (for officials) in a whole township or district."""

    class Role(models.TextChoices):
        CADRE = "cadre", _("village cadre")
        MEMBER = "member", _("roundtable member")
        SUPERVISOR = "supervisor", _("supervisor")
        OFFICIAL = "official", _("township official")
        DISTRICT_OFFICIAL = "district_official", _("district official")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    village = models.ForeignKey(
        "villages.Village",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("village"),
    )
    township = models.ForeignKey(
        "villages.Township",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("township"),
    )
    district = models.ForeignKey(
        "villages.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("district"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user", "role"]
        constraints = [
            # Officials belong to a township, district officials to a district; every other role to
            # exactly one village.
            models.CheckConstraint(
                condition=(
                    Q(role="official", township__isnull=False, village__isnull=True, district__isnull=True)
                    | Q(
                        role="district_official",
                        district__isnull=False,
                        village__isnull=True,
                        township__isnull=True,
                    )
                    | (
                        ~Q(role__in=["official", "district_official"])
                        & Q(village__isnull=False, township__isnull=True, district__isnull=True)
                    )
                ),
                name="membership_scope_matches_role",
            ),
            models.UniqueConstraint("user", "role", "village", name="membership_unique_village_role"),
            models.UniqueConstraint("user", "role", "township", name="membership_unique_township_role"),
            models.UniqueConstraint("user", "role", "district", name="membership_unique_district_role"),
        ]

    def __str__(self):
        place = self.village if self.village_id else self.township if self.township_id else self.district
        return f"{self.user} · {self.get_role_display()} · {place}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.role == self.Role.OFFICIAL:
            if not self.township_id or self.village_id or self.district_id:
                raise ValidationError(_("A township official belongs to a township, not a village."))
        elif self.role == self.Role.DISTRICT_OFFICIAL:
            if not self.district_id or self.village_id or self.township_id:
                raise ValidationError(_("A district official belongs to a district, not a village."))
        elif not self.village_id or self.township_id or self.district_id:
            raise ValidationError(_("This role belongs to a village, not a township."))
