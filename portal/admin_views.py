"""The administrator's page for a person's data requests (PIPL): find, export (JSON, XLSX), erase."""

import io
import json
import logging

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from core.admin import masked
from portal.selectors import person_data
from portal.services import person_erase

audit = logging.getLogger("tongxin.audit")
PERMISSION = "accounts.reveal_personal_data"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PersonRequestForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Mobile or ID number"),
        max_length=20,
        help_text=gettext_lazy("The number the person gave with their matter, or their ID number."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Request and reason (for the log)"),
        max_length=200,
        help_text=gettext_lazy("e.g. the person's written request of 3 December"),
    )

    def clean_number(self):
        number = "".join(self.cleaned_data["number"].split()).upper()
        if not number.isalnum():
            raise forms.ValidationError(_("Enter digits (an ID number may end with X)."))
        return number


def _xlsx(data: dict) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for key, rows in data.items():
        if not isinstance(rows, list):
            continue
        sheet = wb.create_sheet(key[:31])
        headers = list(rows[0]) if rows else []
        sheet.append(headers)
        for row in rows:
            sheet.append([row[h] for h in headers])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text, never a formula
    if not wb.worksheets:
        wb.create_sheet("matters")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def personal_data_request(request):
    """/admin/personal-data/: find what the portal holds under a number, export it or erase it."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    form = PersonRequestForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        number, reason = form.cleaned_data["number"], form.cleaned_data["reason"]
        action = request.POST.get("action", "find")
        found = person_data(number=number)
        audit.info("person_data action=%s user=%s reason=%r", action, request.user.pk, reason)
        if action in ("json", "xlsx"):
            data = found.as_dict()
            if action == "json":
                body = json.dumps(data, ensure_ascii=False, indent=2).encode()
                response = HttpResponse(body, content_type="application/json; charset=utf-8")
            else:
                response = HttpResponse(_xlsx(data), content_type=XLSX_TYPE)
            response["Content-Disposition"] = f'attachment; filename="personal-data.{action}"'
            return response
        if action == "erase" and request.POST.get("confirm") == "yes":
            counts = person_erase(number=number, actor=request.user, reason=reason)
            messages.success(
                request,
                _("Erased: %(issues)d matters' raiser details, %(talents)d talent entries, %(members)d seats")
                % counts,
            )
            found = person_data(number=number)
        elif action == "erase":
            messages.error(request, _("Tick the box to confirm the erasure."))
    context = {
        **admin.site.each_context(request),
        "title": _("A person's data"),
        "form": form,
        "found": found,
        "masked_number": masked(found.number) if found else "",
    }
    return TemplateResponse(request, "admin/portal/personal_data.html", context)
