"""Filters shared by the registries' lists."""

import django_filters
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy


class OrderingFilter(django_filters.OrderingFilter):
    """django-filter's ordering choices, translated when shown: its own builds "name (descending)" once, at
    import, in whatever language was active then (so English pages showed 名称 (descending))."""

    def build_choices(self, fields, labels):
        choices = []
        for field, param in fields.items():
            label = labels.get(field, param.replace("_", " "))
            choices.append((param, label))
            descending = labels.get(f"-{param}") or format_lazy(
                gettext_lazy("{label} (descending)"), label=label
            )
            choices.append((f"-{param}", descending))
        return choices
