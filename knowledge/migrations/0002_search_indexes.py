"""PostgreSQL search indexes of the help articles: GIN on the full-text vector, and pg_trgm GIN
on the title, keywords and body (typo matching, and the Chinese substring search). The pg_trgm
extension itself is created by catalog's search migration."""

from django.db import migrations

from shop.db import RunSQLOnPostgres


def _trigram_index(column: str) -> RunSQLOnPostgres:
    return RunSQLOnPostgres(
        f"CREATE INDEX article_{column}_trgm ON knowledge_article USING gin ({column} gin_trgm_ops);",
        f"DROP INDEX IF EXISTS article_{column}_trgm;",
    )


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_articles"), ("catalog", "0002_search_indexes")]

    operations = [
        RunSQLOnPostgres(
            "CREATE INDEX article_search_document_gin ON knowledge_article "
            "USING gin (search_document);",
            "DROP INDEX IF EXISTS article_search_document_gin;",
        ),
        _trigram_index("title"),
        _trigram_index("keywords"),
        _trigram_index("body"),
    ]
