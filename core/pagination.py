"""A paginator whose count stops at a cap, so a long list's total never reads the whole history."""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property

COUNT_CAP = 1000
MAX_PAGE = 1_000_000


class CappedPage(Page):
    """A page of a list counted only up to the cap: whether a next page exists is known from the rows."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self):
        return self.more

    def start_index(self):
        return (self.number - 1) * self.paginator.per_page + 1 if len(self) else 0

    def end_index(self):
        return (self.number - 1) * self.paginator.per_page + len(self)


class CappedPaginator(Paginator):
    """Counts at most ``cap + 1`` rows (``SELECT COUNT(*) FROM (… LIMIT cap+1)``). Under the cap it is
    Django's paginator with the exact count. Over it, ``capped`` is true, the count shown is "cap+", and
    pages past the cap are still reached: each page reads one row more than it shows to know whether a
    next page exists."""

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def count(self):
        rows = self.object_list
        if hasattr(rows, "count_up_to"):  # a list that counts itself (roundtable.selectors.NewestFirstSearch)
            return rows.count_up_to(self.cap + 1)
        if hasattr(rows, "order_by"):
            # The order changes no count: let the database skip the sort. Only the numbers: the columns,
            # joins and annotations a page shows (a meeting's three counts) are neither compiled nor read
            # for the count; an annotation the list filters on still filters.
            rows = rows.order_by().values("pk")
        return rows[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def validate_number(self, number):
        if not self.capped:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number > MAX_PAGE:  # an offset the database could not take
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        if not self.capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

    def get_page(self, number):
        """Any page number gives a page: past the end of a capped list, the last page the count reached."""
        try:
            return super().get_page(number)
        except EmptyPage:
            return self.page(self.num_pages)
