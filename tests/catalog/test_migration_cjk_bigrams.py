"""Migration 0009 rewrites the search document of the products already there: a database
migrated before it finds them by one Chinese character afterwards, and migrating back leaves
0002's document (words only)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from catalog.models import Product
from catalog.selectors import product_search
from tests.catalog.factories import SearchCatalogue

BEFORE_THE_GRAMS = ("catalog", "0008_admin_names")


def _migrate(targets) -> None:
    MigrationExecutor(connection).migrate(targets)


def _migrate_to_today() -> None:
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _documents_with(lexeme: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM catalog_product "
            "WHERE search_document @@ to_tsquery('simple', %s)",
            [lexeme],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_products_from_before_0009_are_found_by_one_character_after_it():
    # given: the catalogue, then the database taken back to before 0009
    cat = SearchCatalogue()
    try:
        _migrate([BEFORE_THE_GRAMS])
        # then: 0002's document, words only (机 is inside 华为手机, no lexeme of its own)
        assert _documents_with("机") == 0
        assert _documents_with("华为手机") == 2
        # and a title edited under the old trigger
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE catalog_product SET title = '磁吸支架' WHERE id = %s", [cat.holder.pk]
            )
    finally:
        _migrate_to_today()

    # when / then: every existing row's document now holds its grams
    assert _documents_with("机") == 3  # 华为手机 Mate 60, 华为手机 旧款, 磁吸支架 (subtitle)
    assert {p.title for p in product_search(query="磁")} == {"磁吸支架"}
    assert {p.title for p in product_search(query="机")} == {"华为手机 Mate 60", "磁吸支架"}
    assert Product.objects.get(pk=cat.holder.pk).title == "磁吸支架"
