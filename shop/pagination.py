"""Every API list is paginated, and a client may ask for bigger pages only up to a cap."""

from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 100


class BoundedPageNumberPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
