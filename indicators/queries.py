"""The raw counts behind the indicators: GROUP BY in SQL, a few hundred rows back at most.

Sources and what they may be joined with (docs/security.md, docs/indicators.md):
- budgets: the voter register (who voted, by which channel) and the census entry of each
  voter (district, birth year). Never the ballots: ballots are only ever counted, alone.
- consultations: who answered (participants) and, through their residency, their census
  entry; responses without an account (visitors) are counted alone.
- proposals: authors, supporters and commenters, through their residency; authors and
  supporters by channel (online, or taken by an agent at the counter, by phone...).
Only integer ids are put into the SQL text; nothing anybody typed reaches it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tortoise import connections


def _connection() -> Any:
    return connections.get("default")


def _day(column: str) -> str:
    """SQL for the UTC day of a timestamp column, on either database."""
    if _connection().capabilities.dialect == "postgres":
        return f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)"
    return f"substr({column}, 1, 10)"  # SQLite stores ISO text in UTC


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


async def _rows(sql: str) -> list[dict[str, Any]]:
    return list(await _connection().execute_query_dict(sql))


def _by_person(rows: list[dict[str, Any]]) -> tuple[dict[str | None, int], dict[int | None, int]]:
    """(district -> n, birth year -> n) from rows of (district, birth_year, n); None: unknown."""
    districts: dict[str | None, int] = {}
    years: dict[int | None, int] = {}
    for row in rows:
        n = int(row["n"])
        districts[row["district"]] = districts.get(row["district"], 0) + n
        year = None if row["birth_year"] is None else int(row["birth_year"])
        years[year] = years.get(year, 0) + n
    return districts, years


def _by_day(rows: list[dict[str, Any]]) -> dict[date, int]:
    days: dict[date, int] = {}
    for row in rows:
        if row["day"] is not None:
            day = _as_date(row["day"])
            days[day] = days.get(day, 0) + int(row["n"])
    return days


async def population() -> list[dict[str, Any]]:
    """The census, aggregated: rows of (district, birth_year, n)."""
    return await _rows(
        "SELECT district, birth_year, COUNT(*) AS n FROM budgets_census_entry "
        "GROUP BY district, birth_year"
    )


async def budget_counts(budget_id: int) -> dict[str, Any]:
    budget_id = int(budget_id)
    people = await _rows(
        "SELECT c.district AS district, c.birth_year AS birth_year, COUNT(*) AS n "
        "FROM budgets_voter_register v JOIN budgets_census_entry c ON c.id = v.census_entry_id "
        f"WHERE v.budget_id = {budget_id} GROUP BY c.district, c.birth_year"
    )
    days = await _rows(
        "SELECT voted_on AS day, channel, COUNT(*) AS n "
        f"FROM budgets_voter_register WHERE budget_id = {budget_id} GROUP BY 1, 2"
    )
    # imported budgets have ballots but no register: counted alone, as unknown
    ballots = await _rows(f"SELECT COUNT(*) AS n FROM budgets_ballot WHERE budget_id = {budget_id}")
    districts, years = _by_person(people)
    channels: dict[str, int] = {}
    for row in days:
        channels[row["channel"]] = channels.get(row["channel"], 0) + int(row["n"])
    return {
        "districts": districts,
        "birth_years": years,
        "days": _by_day(days),
        "channels": channels,
        "ballots": int(ballots[0]["n"]),
    }


async def consultation_counts(consultation_id: int) -> dict[str, Any]:
    consultation_id = int(consultation_id)
    people = await _rows(
        "SELECT c.district AS district, c.birth_year AS birth_year, COUNT(*) AS n "
        "FROM consultations_participant p "
        "LEFT JOIN budgets_residency r ON r.user_id = p.user_id "
        "LEFT JOIN budgets_census_entry c ON c.id = r.census_entry_id "
        f"WHERE p.consultation_id = {consultation_id} GROUP BY c.district, c.birth_year"
    )
    days = await _rows(
        "SELECT submitted_on AS day, COUNT(*) AS n FROM consultations_response "
        f"WHERE consultation_id = {consultation_id} GROUP BY submitted_on"
    )
    districts, years = _by_person(people)
    return {
        "districts": districts,
        "birth_years": years,
        "days": _by_day(days),
        "responses": sum(int(row["n"]) for row in days),
    }


# Everyone who took part in the proposals space: published a proposal, supported or commented.
_PROPOSAL_PEOPLE = (
    "SELECT author_id AS user_id FROM proposals_proposal WHERE published_at IS NOT NULL "
    "UNION SELECT user_id FROM proposals_support "
    "UNION SELECT author_id FROM comments_comment WHERE deleted_at IS NULL"
)


async def proposals_counts() -> dict[str, Any]:
    people = await _rows(
        "SELECT c.district AS district, c.birth_year AS birth_year, COUNT(*) AS n "
        f"FROM ({_PROPOSAL_PEOPLE}) p "
        "LEFT JOIN budgets_residency r ON r.user_id = p.user_id "
        "LEFT JOIN budgets_census_entry c ON c.id = r.census_entry_id "
        "GROUP BY c.district, c.birth_year"
    )
    days = await _rows(
        f"SELECT {_day('published_at')} AS day, COUNT(*) AS n FROM proposals_proposal "
        "WHERE published_at IS NOT NULL GROUP BY 1 "
        f"UNION ALL SELECT {_day('created_at')} AS day, COUNT(*) AS n FROM proposals_support "
        "GROUP BY 1 "
        f"UNION ALL SELECT {_day('created_at')} AS day, COUNT(*) AS n FROM comments_comment "
        "WHERE deleted_at IS NULL GROUP BY 1"
    )
    volumes = await _rows(
        "SELECT (SELECT COUNT(*) FROM proposals_proposal WHERE published_at IS NOT NULL) AS p, "
        "(SELECT COUNT(*) FROM proposals_support) AS s, "
        "(SELECT COUNT(*) FROM comments_comment WHERE deleted_at IS NULL) AS c"
    )
    # how they came in: online, or taken by an agent (participation/counter): people and items
    # (proposals, supports and comments)
    by_channel = await _rows(
        "SELECT channel, COUNT(DISTINCT user_id) AS people, COUNT(*) AS n FROM ("
        "SELECT channel, author_id AS user_id FROM proposals_proposal "
        "WHERE published_at IS NOT NULL "
        "UNION ALL SELECT channel, user_id FROM proposals_support "
        "UNION ALL SELECT channel, author_id FROM comments_comment WHERE deleted_at IS NULL"
        ") x GROUP BY channel"
    )
    districts, years = _by_person(people)
    return {
        "districts": districts,
        "birth_years": years,
        "days": _by_day(days),
        "channel_people": {str(r["channel"]): int(r["people"]) for r in by_channel},
        "channel_contributions": {str(r["channel"]): int(r["n"]) for r in by_channel},
        "proposals": int(volumes[0]["p"]),
        "supports": int(volumes[0]["s"]),
        "comments": int(volumes[0]["c"]),
    }


async def moderation_counts() -> dict[str, Any]:
    """Cases per content type, and the delay of each closed case (submission or report to
    decision), in hours. A case reopened later counts from its last opening."""
    per_type = await _rows(
        "SELECT content_type AS kind, COUNT(*) AS n FROM moderation_case GROUP BY content_type"
    )
    closed = await _rows(
        "SELECT opened_at, closed_at FROM moderation_case WHERE closed_at IS NOT NULL"
    )
    delays = []
    for row in closed:
        opened, decided = _as_datetime(row["opened_at"]), _as_datetime(row["closed_at"])
        delays.append(max(0.0, (decided - opened).total_seconds() / 3600))
    return {"cases": {row["kind"]: int(row["n"]) for row in per_type}, "delays": delays}


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
