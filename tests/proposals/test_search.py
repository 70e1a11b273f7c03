"""Searching the proposals: in French on PostgreSQL (stems, plurals, stop words, an index),
every word contained on SQLite (participation/textsearch.py)."""

from __future__ import annotations

import html
from pathlib import Path

import httpx
import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from participation.accounts.models import User
from participation.db import run_migrations, tortoise_config
from participation.textsearch import tsquery_of, words_of
from tests.conftest import DATABASE_URL, empty_database
from tests.participation.proposal_factories import make_proposal

postgres_only = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgres"), reason="French full-text search: PostgreSQL only"
)


def test_the_words_of_a_query_are_normalised_split_and_quoted() -> None:
    assert words_of("  Piste-CYCLABLE à l'école ") == ["piste", "cyclable", "a", "l", "ecole"]
    assert words_of("!!! --- ") == []
    assert len(words_of(" ".join(f"mot{i}" for i in range(20)))) == 8
    # a plural also as its singular; nothing a person types is read as an operator
    assert tsquery_of(["velos", "pour"]) == "('velos':* | 'velo':*) & 'pour':*"
    assert tsquery_of(["bus"]) == "'bus':*"  # three letters: no singular tried
    assert tsquery_of(["o'brien"]) == "'o''brien':*"


async def _titles_found(client: httpx.AsyncClient, query: str, titles: list[str]) -> set[str]:
    page = html.unescape((await client.get("/proposals", params={"q": query})).text)
    return {title for title in titles if title in page}


async def test_every_word_must_be_found_whatever_accents_and_case(
    client: httpx.AsyncClient, citizen: User
) -> None:
    titles = ["Élagage des platanes du Mail", "Une piscine ouverte l'été"]
    for title in titles:
        await make_proposal(citizen, title=title, body="<p>Texte.</p>")
    assert await _titles_found(client, "platan", titles) == {titles[0]}  # the start of a word
    assert await _titles_found(client, "L'ÉTÉ piscine", titles) == {titles[1]}
    assert await _titles_found(client, "piscine platanes", titles) == set()  # all words
    assert await _titles_found(client, "' & | ! :*", titles) == set(titles)  # no word: all


@postgres_only
async def test_in_french_plurals_and_inflections_are_found(
    client: httpx.AsyncClient, citizen: User
) -> None:
    titles = ["Un jardin partagé au square", "Un vélo-cargo pour l'école", "Des bancs publics"]
    for title in titles:
        await make_proposal(citizen, title=title, body="<p>Texte.</p>")
    assert await _titles_found(client, "jardins partagés", titles) == {titles[0]}
    assert await _titles_found(client, "vélos", titles) == {titles[1]}
    assert await _titles_found(client, "écoles", titles) == {titles[1]}
    assert await _titles_found(client, "banc public", titles) == {titles[2]}
    assert await _titles_found(client, "le jardin de la place du square", titles) == set()
    # but « un », « pour », « le » are French stop words: they narrow nothing
    assert await _titles_found(client, "un jardin pour le square", titles) == {titles[0]}


@postgres_only
async def test_the_search_reads_the_french_index_made_by_the_migration(
    tmp_path: Path, redis_url: str
) -> None:
    async with empty_database(tmp_path, redis_url) as settings:
        await run_migrations(settings)
        await Tortoise.init(config=tortoise_config(settings))
        try:
            from participation.proposals.models import Proposal
            from participation.textsearch import matching

            sql = matching(Proposal.all(), "search_text", "jardins").sql(params_inline=True)
            async with in_transaction() as transaction:  # one connection for both statements
                await transaction.execute_script("SET LOCAL enable_seqscan = off")
                plan = await transaction.execute_query_dict(f"EXPLAIN {sql}")
            text = "\n".join(row["QUERY PLAN"] for row in plan)
            assert "proposals_proposal_search_vector" in text, text
        finally:
            await Tortoise.close_connections()
