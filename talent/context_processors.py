from django.utils.functional import SimpleLazyObject

from talent.selectors import talent_villages


def talent_access(request):
    """Ids of the villages whose talent registries the user may read (for the registries' sub-navigation).

    Lazy: the query runs only when a template asks (``village.pk in talent_village_ids``).
    """

    def ids() -> frozenset[int]:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return frozenset()
        return frozenset(talent_villages(user).values_list("pk", flat=True))

    return {"talent_village_ids": SimpleLazyObject(ids)}
