"""Commands and reads of the resident register: importing the census, finding a person's row,
verifying an account against it, and what the register says of an account (`resident_of`).
They take ids and plain data, own their transaction and raise `Refused` with the problems."""

from __future__ import annotations

from datetime import date
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from participation.accounts.models import User
from participation.audit import audit
from participation.i18n import N_
from participation.refusals import Problem, Refused, refuse
from participation.residents.census import census_key, lookup_hash, parse_birth_date, read_census
from participation.residents.domain import NOT_VERIFIED, Resident
from participation.residents.models import CensusEntry, Residency
from participation.settings import Settings


async def import_census(settings: Settings, content: bytes, by_user: User | None = None) -> int:
    """Import (or update) the census: all rows or none. Returns the number of rows."""
    rows = read_census(content, census_key(settings.secret_key))
    async with in_transaction():
        existing = {
            e.lookup_hash: e
            for e in await CensusEntry.filter(lookup_hash__in=[r.lookup_hash for r in rows])
        }
        new = [
            CensusEntry(lookup_hash=r.lookup_hash, birth_year=r.birth_year, district=r.district)
            for r in rows
            if r.lookup_hash not in existing
        ]
        await CensusEntry.bulk_create(new, batch_size=1000)
        for row in rows:
            entry = existing.get(row.lookup_hash)
            if entry is not None and entry.district != row.district:
                entry.district = row.district
                await entry.save(update_fields=["district"])
        # counts only: the register itself is personal data and stays out of the log
        after = {"rows": len(rows), "new": len(new)}
        await audit(by_user, "census_import", "census", None, "", after)
    return len(rows)


async def find_census_entry(
    settings: Settings, identifier: str, birth_date: str, postcode: str
) -> tuple[CensusEntry, date]:
    problems = []
    if not identifier.strip():
        problems.append(Problem(N_("Enter your identifier."), field="identifier"))
    born = parse_birth_date(birth_date)
    if born is None:
        problems.append(Problem(N_("Enter your birth date, like 1984-03-21."), field="birth_date"))
    if not postcode.strip():
        problems.append(Problem(N_("Enter your postcode."), field="postcode"))
    if problems or born is None:
        raise Refused(problems)
    entry = await CensusEntry.get_or_none(
        lookup_hash=lookup_hash(census_key(settings.secret_key), identifier, born, postcode)
    )
    if entry is None:
        raise refuse(
            N_(
                "We found no resident with these details. Check them as written on "
                "your registration letter, or contact the town hall."
            )
        )
    return entry, born


async def verify_residency(
    settings: Settings, user: User, identifier: str, birth_date: str, postcode: str
) -> Residency:
    entry, born = await find_census_entry(settings, identifier, birth_date, postcode)
    try:
        return await Residency.create(user=user, census_entry=entry, birth_date=born)
    except IntegrityError:
        if await Residency.filter(user=user).exists():
            raise refuse(N_("Your account is already verified.")) from None
        raise refuse(
            N_(
                "These details were already used to verify another account. If it "
                "was not you, contact the town hall."
            )
        ) from None


async def resident_of(user: Any) -> tuple[Resident, Residency | None]:
    """What the register says of a signed-in account, and its residency (None: not verified)."""
    residency = await Residency.get_or_none(user_id=user.id).select_related("census_entry")
    if residency is None:
        return NOT_VERIFIED, None
    resident = Resident(True, residency.birth_date, residency.census_entry.district)
    return resident, residency


async def census_count(district: str | None = None) -> int:
    """Rows of the register; with `district`, those of that district only."""
    if district is None:
        return await CensusEntry.all().count()
    return await CensusEntry.filter(district=district).count()
