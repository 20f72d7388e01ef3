"""Keep an article's search vector in its row (PostgreSQL), not in the TOAST table.

Buat Tiket's suggestions rank every published article holding one of the typed words
(knowledge/suggest.py), thousands of rows per call. A help article's vector (1-3 kB) is
over PostgreSQL's 2 kB threshold, so it was moved out of line, and each row read it back
from the TOAST table twice (the match, then the rank): 60 ms of a 5,000-article search.
With the toaster's target at its maximum, rows up to ~8 kB stay whole in the heap (the
same query: 27 ms, same results; docs/performance.md); a longer article still has its
largest values moved out. Existing rows are written again so that they move back.
"""

from django.db import migrations

TABLE = "knowledge_article"


def inline(apps: object, schema_editor: object) -> None:
    connection = schema_editor.connection  # type: ignore[attr-defined]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} SET (toast_tuple_target = 8160)")
        # A new value (not the stored pointer) is laid out again under the new target.
        cursor.execute(
            f"UPDATE {TABLE} SET search_vector = search_vector::text::tsvector"  # noqa: S608
            " WHERE search_vector IS NOT NULL"
        )


def default(apps: object, schema_editor: object) -> None:
    connection = schema_editor.connection  # type: ignore[attr-defined]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0005_articleimage_cannedresponsearticle")]

    operations = [migrations.RunPython(inline, default, elidable=False)]
