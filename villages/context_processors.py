from django.utils.functional import SimpleLazyObject

from villages.selectors import default_township


def portal(request):
    """The served township for the header, fetched only when a template asks for it."""
    return {"portal_township": SimpleLazyObject(default_township)}
