"""The category tree: one load per request, descendants and ancestors without a query each."""

import logging
from dataclasses import dataclass, field

from catalog.models import (
    Category,
)
from shop.errors import NotFound

logger = logging.getLogger(__name__)


@dataclass
class CategoryNode:
    category: Category
    children: list["CategoryNode"] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.category.pk

    @property
    def name(self) -> str:
        return self.category.name

    @property
    def slug(self) -> str:
        return self.category.slug


class CategoryIndex:
    """All categories from one query, for the pages that need the tree, a category's
    descendants and its breadcrumbs together."""

    def __init__(self, categories: list[Category]):
        self.categories = categories
        self.by_id = {category.pk: category for category in categories}
        self.children: dict[int | None, list[Category]] = {}
        for category in categories:
            self.children.setdefault(category.parent_id, []).append(category)

    @classmethod
    def load(cls) -> "CategoryIndex":
        return cls(list(Category.objects.order_by("position", "name", "id")))

    def tree(self) -> list[CategoryNode]:
        """Active categories as a forest; a category under an inactive parent is hidden."""

        def nodes(parent_id):
            return [
                CategoryNode(category, nodes(category.pk))
                for category in self.children.get(parent_id, [])
                if category.is_active
            ]

        return nodes(None)

    def descendant_ids(self, category_ids: list[int]) -> list[int]:
        """The given categories and everything below them."""
        found: list[int] = []
        stack = list(category_ids)
        while stack:
            pk = stack.pop()
            if pk in found:
                continue
            found.append(pk)
            stack.extend(child.pk for child in self.children.get(pk, []))
        return found

    def ancestors(self, category: Category) -> list[Category]:
        """The path from the root down to `category`, for breadcrumbs."""
        path: list[Category] = []
        current = self.by_id.get(category.pk)
        while current is not None and current not in path:
            path.append(current)
            current = self.by_id.get(current.parent_id)
        return list(reversed(path))

    def active_by_slug(self, slug: str) -> Category | None:
        return next((c for c in self.categories if c.slug == slug and c.is_active), None)

    def resolve(self, value: str | int | None) -> list[int] | None:
        """A category filter value (slug or id) -> [that active category's id], [] when there
        is none, None when no category was asked for."""
        if value in (None, ""):
            return None
        value = str(value).strip()
        if value.isdigit():
            category = self.by_id.get(int(value))
            return [category.pk] if category is not None and category.is_active else []
        category = self.active_by_slug(value)
        return [category.pk] if category is not None else []


def category_tree() -> list[CategoryNode]:
    """Active categories as a forest, in display order (one query)."""
    return CategoryIndex.load().tree()


def category_descendant_ids(category_ids: list[int]) -> list[int]:
    """The given categories and everything below them (one query)."""
    return CategoryIndex.load().descendant_ids(category_ids)


def category_by_slug(slug: str, *, categories: CategoryIndex | None = None) -> Category:
    if categories is not None:
        category = categories.active_by_slug(slug)
    else:
        category = Category.objects.filter(slug=slug, is_active=True).first()
    if category is None:
        raise NotFound("No such category.", code="unknown_category")
    return category


def category_ancestors(category: Category) -> list[Category]:
    """The path from the root down to `category`, for breadcrumbs (one query)."""
    return CategoryIndex.load().ancestors(category)


def resolve_category_ids(
    value: str | int | None, *, categories: CategoryIndex | None = None
) -> list[int] | None:
    """A category filter value (slug or id) -> that category's id, or [] when there is none."""
    if value in (None, ""):
        return None
    return (categories or CategoryIndex.load()).resolve(value)
