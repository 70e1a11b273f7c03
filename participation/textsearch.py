"""Search in a text column kept normalised (`richtext.normalize_for_search`: lower case, no
accents), in French on PostgreSQL, by containment elsewhere.

- PostgreSQL: full-text search with the `french` configuration: each word of the query is
  stemmed and matched as a prefix, a plural also as its singular (« vélos » finds « vélo »,
  « vélos », « vélorution »; « jardins partagés » finds « jardin partagé »), all words
  required, French stop words ignored. The condition is written
  `to_tsvector('french', column) @@ to_tsquery('french', $n)` so that a GIN index on that very
  expression serves it (the proposals' is made by
  participation/migrations/0030_proposal_search.py): at 100,000 proposals no table scan.
- SQLite (the embedded default, a small town): every word must be contained in the column,
  as a substring.
"""

from __future__ import annotations

import re
from typing import Any

from pypika_tortoise.terms import Criterion, Term, ValueWrapper
from tortoise.expressions import F, Q, ResolveContext
from tortoise.query_utils import QueryModifier
from tortoise.queryset import QuerySet

from participation.richtext import normalize_for_search

MAX_WORDS = 8  # a longer query is cut: each word is one more condition


def words_of(query: str) -> list[str]:
    """The words searched for: normalised, split on anything that is not a letter or a digit
    (an apostrophe or a hyphen separates words, as PostgreSQL's parser does), at most
    MAX_WORDS."""
    return re.findall(r"\w+", normalize_for_search(query))[:MAX_WORDS]


def tsquery_of(words: list[str]) -> str:
    """The `to_tsquery` text: every word as a quoted prefix lexeme, all required; a plural in
    -s or -x also as its singular, which the French stemmer leaves alone in short words
    (« vélos » stays `velos`, so would miss « vélo »). Quoted, a word is never read as the
    query language's operators."""

    def lexeme(word: str) -> str:
        return "'" + word.replace("'", "''") + "':*"

    def alternatives(word: str) -> str:
        if len(word) > 3 and word[-1] in "sx":
            return f"({lexeme(word)} | {lexeme(word[:-1])})"
        return lexeme(word)

    return " & ".join(alternatives(word) for word in words)


class _FrenchMatch(Criterion):  # type: ignore[misc]
    def __init__(self, column: Term, query: str) -> None:
        super().__init__()
        self.column, self.query = column, query

    def get_sql(self, ctx: Any) -> str:
        # the configuration as a literal, not a parameter: the index's expression must match
        return (
            f"to_tsvector('french',{self.column.get_sql(ctx)}) @@ "
            f"to_tsquery('french',{ValueWrapper(self.query).get_sql(ctx)})"
        )


class _FrenchSearch(Q):
    def __init__(self, field: str, query: str) -> None:
        super().__init__()
        self.field, self.query = field, query

    def resolve(self, resolve_context: ResolveContext) -> QueryModifier:
        column = F(self.field).resolve(resolve_context)
        return QueryModifier(
            where_criterion=_FrenchMatch(column.term, self.query), joins=column.joins
        )


def matching(qs: QuerySet[Any], field: str, query: str) -> QuerySet[Any]:
    """`qs` narrowed to the rows whose `field` (a normalised text column) holds every word of
    `query`; unchanged for a query without words."""
    words = words_of(query)
    if not words:
        return qs
    if qs.model._meta.db.capabilities.dialect == "postgres":
        return qs.filter(_FrenchSearch(field, tsquery_of(words)))
    for word in words:
        qs = qs.filter(**{f"{field}__contains": word})
    return qs
