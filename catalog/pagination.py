"""Pages of a listing whose size is not worth counting exactly."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """A Paginator that counts at most `cap` + 1 objects (`SELECT COUNT(*) FROM (... LIMIT
    cap + 1)`) and pages through the first `cap`: the count of a broad listing costs what a
    small one does. `is_capped` says there are more than `cap`, for a "1,000+" on the page."""

    def __init__(self, object_list, per_page, *, cap: int, counted: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        # Up to cap + 1, when the caller knows it already (a cached listing summary).
        self.known_count = counted

    @cached_property
    def _counted(self) -> int:
        if self.known_count is not None:
            return min(self.known_count, self.cap + 1)
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def is_capped(self) -> bool:
        return self._counted > self.cap
