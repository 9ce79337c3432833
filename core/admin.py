"""Personal data in the admin: masked everywhere, whole only behind an explicit, logged "reveal"."""

import logging

from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.crypto import blind_index
from core.masking import mask

audit = logging.getLogger("tongxin.audit")


def masked(value: str) -> str:
    """What the admin shows of a number or an e-mail address: enough to tell two apart, not to use."""
    value = value or ""
    if "@" in value:
        local, _at, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return mask(value)


class PersonalDataAdminMixin:
    """For a ModelAdmin: ``personal_fields`` shown masked and read-only, revealed on request.

    Revealing needs the ``accounts.reveal_personal_data`` permission (superusers have it), is a POST from
    the reveal page, and writes the admin's log and the ``tongxin.audit`` logger. ``hash_search`` names
    keyed-hash fields that the search box matches a whole number against (encrypted fields cannot be
    searched by their text).
    """

    personal_fields: tuple[str, ...] = ()
    hash_search: tuple[str, ...] = ()
    reveal_permission = "accounts.reveal_personal_data"

    # --- form and lists ---------------------------------------------------------------------------

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or ()), *self.personal_fields]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "personal_data"]

    def get_fieldsets(self, request, obj=None):
        # The masked line takes the place of the first personal field; the others are left out.
        fieldsets = super().get_fieldsets(request, obj)
        seen = any("personal_data" in options.get("fields", ()) for _name, options in fieldsets)
        out = []
        for name, options in fieldsets:
            fields = []
            for field in options.get("fields", ()):
                if field in self.personal_fields:
                    if not seen:
                        fields.append("personal_data")
                        seen = True
                else:
                    fields.append(field)
            out.append((name, {**options, "fields": fields}))
        if not seen and obj is not None:
            out.append((gettext_lazy("Personal data"), {"fields": ["personal_data"]}))
        return out

    @admin.display(description=gettext_lazy("personal data (masked)"))
    def personal_data(self, obj):
        if obj is None or obj.pk is None:
            return ""
        shown = [
            f"{obj._meta.get_field(name).verbose_name}: {masked(getattr(obj, name))}"
            for name in self.personal_fields
            if getattr(obj, name)
        ]
        if not shown:
            return "—"
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_reveal", args=[obj.pk])
        return format_html('{} · <a href="{}">{}</a>', "; ".join(shown), url, _("Reveal (logged)"))

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        digest = blind_index(search_term.strip()) if search_term.strip() else ""
        if digest and self.hash_search:
            for field in self.hash_search:
                queryset |= self.model._default_manager.filter(**{field: digest})
        return queryset, may_have_duplicates

    # --- reveal -----------------------------------------------------------------------------------

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "<path:object_id>/reveal/",
                self.admin_site.admin_view(self.reveal_view),
                name="{}_{}_reveal".format(*info),
            ),
            *super().get_urls(),
        ]

    def reveal_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        if not request.user.has_perm(self.reveal_permission):
            raise PermissionDenied
        values = None
        if request.method == "POST":
            reason = request.POST.get("reason", "").strip()[:200]
            if reason:
                values = [
                    (obj._meta.get_field(name).verbose_name, getattr(obj, name))
                    for name in self.personal_fields
                ]
                message = f"Revealed personal data ({', '.join(self.personal_fields)}): {reason}"
                LogEntry.objects.log_actions(
                    user_id=request.user.pk,
                    queryset=[obj],
                    action_flag=CHANGE,
                    change_message=message,
                    single_object=True,
                )
                audit.info(
                    "reveal user=%s object=%s:%s fields=%s reason=%r",
                    request.user.pk,
                    ContentType.objects.get_for_model(obj).model,
                    obj.pk,
                    ",".join(self.personal_fields),
                    reason,
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": _("Reveal personal data"),
            "values": values,
            "missing_reason": request.method == "POST" and values is None,
        }
        return TemplateResponse(request, "admin/core/reveal.html", context)
