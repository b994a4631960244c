"""Reads of the catalogue: the search that the list and the lines' product picker share."""

from django.db import models
from django.db.models import Q

from catalogue.models import Product
from contacts.text import strip_accents

PICKER_LIMIT = 10
# Words of a query that the search reads (more only make the SQL longer, not the hits better).
MAX_WORDS = 8
# PostgreSQL folds with TRANSLATE (one letter for one); SQLite calls `fold` (registered on each
# connection by `register_fold`), as its LOWER leaves non-ASCII letters as they are.
_ACCENTED = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿ"
_PLAIN = "aaaaaaceeeeiiiinooooouuuuyy"


def fold(value: str | None) -> str | None:
    """Lower-case, without accents: "Élagage" -> "elagage"."""
    return None if value is None else strip_accents(value).lower()


def register_fold(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: SQLite learns the FOLD function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("FOLD", 1, fold, deterministic=True)


class Folded(models.Func):
    """An expression lower-cased and without accents, on SQLite and PostgreSQL alike."""

    function = "LOWER"
    arity = 1
    output_field = models.CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="FOLD", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        template = f"TRANSLATE(LOWER(%(expressions)s), '{_ACCENTED}', '{_PLAIN}')"
        return self.as_sql(compiler, connection, template=template, **extra)


def search_words(query: str) -> list[str]:
    return fold(query or "").split()[:MAX_WORDS]


def product_search(queryset: models.QuerySet, query: str) -> models.QuerySet:
    """Products whose code or label contains every typed word, accent- and case-insensitive:
    "forma secu" finds "FORM-SEC – Formation sécurité"."""
    words = search_words(query)
    if not words:
        return queryset
    queryset = queryset.annotate(code_folded=Folded("code"), label_folded=Folded("label"))
    for word in words:
        queryset = queryset.filter(Q(code_folded__contains=word) | Q(label_folded__contains=word))
    return queryset


def products_to_pick(query: str, *, limit: int = PICKER_LIMIT) -> list[Product]:
    """The active products a line may pick for `query` (none until something is typed); an
    exact code comes first."""
    if not search_words(query):
        return []
    matches = product_search(Product.objects.filter(active=True), query)
    code = query.strip()
    return list(
        matches.select_related("family")
        .annotate(exact=models.Case(models.When(code__iexact=code, then=0), default=1))
        .order_by("exact", "code")[:limit]
    )
