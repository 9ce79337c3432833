from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User
from core.admin import PersonalDataAdminMixin


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["village", "township", "district"]


@admin.register(User)
class UserAdmin(PersonalDataAdminMixin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role"]
    search_fields = ["email", "display_name"]
    personal_fields = ("mobile",)
    hash_search = ("mobile_hash",)
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {"fields": ("display_name", "mobile", "language", "notify_by_email", "notify_by_sms")},
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "display_name", "password1", "password2")}),
    )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "village", "township", "district", "created"]
    list_filter = ["role", "district", "township", "village"]
    search_fields = ["user__email", "user__display_name", "village__name"]
    autocomplete_fields = ["user", "village", "township", "district"]
    list_select_related = ["user", "village", "township", "district"]
