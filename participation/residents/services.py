"""Commands and reads of the resident register: importing the census, finding a person's row,
verifying an account against it, and what the register says of an account (`resident_of`).
They take ids and plain data, own their transaction and raise `Refused` with the problems."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime
from typing import Any

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from participation import features
from participation.accounts.models import User
from participation.audit import audit
from participation.db import fetch_rows
from participation.i18n import N_
from participation.refusals import Problem, Refused, refuse
from participation.residents.census import census_key, lookup_hash, parse_birth_date, read_census
from participation.residents.domain import (
    NOT_VERIFIED,
    Resident,
    may_move_record,
    may_record_over,
    record_is_valid,
    verification_state,
)
from participation.residents.methods import Method, census, desk
from participation.residents.models import BirthDateClaim, CensusEntry, District, Residency
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


_ALREADY_VERIFIED = N_("Your account is already verified.")
_ROW_TAKEN = N_(
    "These details were already used to verify another account. If it was not you, contact "
    "the town hall."
)
REASON_MAX = 500


def anchor_hash(settings: Settings, user_id: int) -> str:
    """The lookup hash of the census row that anchors a person verified by another method than
    the census: one per account, so two verifications of one account find the same row."""
    message = f"verified resident|{user_id}".encode()
    return hmac.new(census_key(settings.secret_key), message, hashlib.sha256).hexdigest()


async def _anchor(
    settings: Settings, user_id: int, method: str, district: str | None, birth_year: int | None
) -> CensusEntry:
    lookup = anchor_hash(settings, user_id)
    entry = await CensusEntry.get_or_none(lookup_hash=lookup)
    if entry is None:
        try:
            entry = await CensusEntry.create(
                lookup_hash=lookup, district=district, birth_year=birth_year, source=method
            )
        except IntegrityError:  # a concurrent verification of the same account made it
            entry = await CensusEntry.get(lookup_hash=lookup)
    return entry


_OPEN_VOTE = N_(
    "This account already took part, with its former verification, in a vote that is still "
    "open: it can be verified another way once that vote has closed. Nothing was recorded."
)


async def holds_open_participation(census_entry_id: int) -> bool:
    """Whether any feature says this census row took part in something still open (budgets:
    a register row in a budget whose vote is not closed): `Feature.open_participation`."""
    for feature in features.FEATURES:
        if feature.open_participation is not None and await feature.open_participation(
            census_entry_id
        ):
            return True
    return False


async def refuse_a_move_during_an_open_vote(
    settings: Settings, user_id: int, census_entry: CensusEntry | None = None
) -> None:
    """One person, one vote: a new verification that would point the person's record at
    another census row (`census_entry`, or None: the account's anchor) while their current row
    holds a vote still open is refused (`domain.may_move_record`), before anything is written.
    The voter register and the ballot token key on the row: on a new row the person could
    vote once more in that vote. A valid record is left to `record_verification` (« already
    verified »); a revoked or expired one cannot vote online meanwhile."""
    current = await Residency.get_or_none(user_id=user_id).only(
        "id", "census_entry_id", "revoked_at", "expires_at"
    )
    if current is None or record_is_valid(current.revoked_at, current.expires_at, timezone.now()):
        return
    new_row: int | None
    if census_entry is not None:
        new_row = census_entry.id
    else:
        anchor = await CensusEntry.get_or_none(lookup_hash=anchor_hash(settings, user_id)).only(
            "id"
        )
        new_row = anchor.id if anchor is not None else None
    moving = current.census_entry_id != new_row
    holds_open = moving and await holds_open_participation(current.census_entry_id)
    if not may_move_record(current.census_entry_id, new_row, holds_open):
        raise refuse(_OPEN_VOTE)


async def record_verification(
    settings: Settings,
    user_id: int,
    method: Method,
    *,
    census_entry: CensusEntry | None = None,
    district: str | None = None,
    birth_date: date | None = None,
    agent: User | None = None,
    proof: str | None = None,
    address_hash: str | None = None,
    audited: dict[str, Any] | None = None,
) -> Residency:
    """Write the person's verified-resident record, the same for every method: one record per
    person (UNIQUE user; a record that no longer counts, revoked or expired, is replaced by a
    conditional update, so two verifications at once leave one record and the second is
    refused) and one record per census row (UNIQUE anchor); a person whose current row holds a
    vote still open is not moved to another row (`refuse_a_move_during_an_open_vote`: one
    person, one vote). `census_entry`: the census
    method's row; any other method gets the account's own anchor row, which carries the
    district and birth year (the voter register and the figures key on it)."""
    await refuse_a_move_during_an_open_vote(settings, user_id, census_entry)
    now = timezone.now()
    expires_at = now + method.valid_for if method.valid_for is not None else None
    if census_entry is None:
        census_entry = await _anchor(
            settings, user_id, method.name, district, birth_date.year if birth_date else None
        )
        if (census_entry.district, census_entry.birth_year) != (
            district,
            birth_date.year if birth_date else census_entry.birth_year,
        ):
            census_entry.district = district
            census_entry.birth_year = birth_date.year if birth_date else census_entry.birth_year
            await census_entry.save(update_fields=["district", "birth_year"])
    values: dict[str, Any] = {
        "census_entry_id": census_entry.id,
        "birth_date": birth_date,
        "method": method.name,
        "expires_at": expires_at,
        "verified_by_id": agent.id if agent is not None and method.by_agent else None,
        "proof": proof,
    }
    if address_hash is not None:  # the letter's: kept when another method verifies again
        values["address_hash"] = address_hash
    try:
        residency = await Residency.create(user_id=user_id, **values)
    except IntegrityError:
        existing = await Residency.get_or_none(user_id=user_id)
        if existing is None:
            raise refuse(_ROW_TAKEN) from None
        if not may_record_over(True, existing.revoked_at, existing.expires_at, now):
            raise refuse(_ALREADY_VERIFIED) from None
        try:
            # conditional: only the record as read (a concurrent replacement changes verified_at)
            changed = await Residency.filter(
                id=existing.id, verified_at=existing.verified_at
            ).update(
                verified_at=now, revoked_at=None, revoked_reason=None, revoked_by_id=None, **values
            )
        except IntegrityError:
            raise refuse(_ROW_TAKEN) from None
        if not changed:
            raise refuse(_ALREADY_VERIFIED) from None
        residency = await Residency.get(id=existing.id)
    after = {"method": method.name, "district": census_entry.district, "proof": proof}
    after.update(audited or {})
    await audit(agent, "resident_verified", "user", user_id, "", after)
    return residency


async def verify_residency(
    settings: Settings, user: User, identifier: str, birth_date: str, postcode: str
) -> Residency:
    """The census method: the resident types the three facts of their census row."""
    entry, born = await find_census_entry(settings, identifier, birth_date, postcode)
    return await record_verification(
        settings, user.id, census.METHOD, census_entry=entry, birth_date=born
    )


async def revoke_verification(user_id: int, reason: str, by_user: User) -> bool:
    """Staff revoke a person's record with a reason the resident reads; False if there was no
    valid record to revoke."""
    reason = reason.strip()
    if not reason:
        raise Refused([Problem(N_("Say why: the resident will read it."), field="reason")])
    if len(reason) > REASON_MAX:
        raise Refused(
            [Problem(N_("At most {max} characters."), {"max": REASON_MAX}, field="reason")]
        )
    async with in_transaction():
        changed = await Residency.filter(user_id=user_id, revoked_at=None).update(
            revoked_at=timezone.now(), revoked_reason=reason, revoked_by_id=by_user.id
        )
        if changed:
            await audit(by_user, "resident_revoked", "user", user_id, "", {"reason": reason})
    return bool(changed)


async def resident_of(user: Any) -> tuple[Resident, Residency | None]:
    """What the register says of a signed-in account, and its record (None: none at all). A
    revoked or expired record is returned with NOT_VERIFIED (the page says why)."""
    residency = await Residency.get_or_none(user_id=user.id).select_related("census_entry")
    if residency is None:
        return NOT_VERIFIED, None
    if not record_is_valid(residency.revoked_at, residency.expires_at, timezone.now()):
        return NOT_VERIFIED, residency
    resident = Resident(
        True, residency.birth_date, residency.census_entry.district, residency.method
    )
    return resident, residency


CENSUS_ENTRY_SQL = 'SELECT "census_entry_id" FROM "budgets_residency" WHERE "user_id" = $1'


async def census_entry_of(user_id: int) -> int | None:
    """The census entry of the person's record, valid or not (None: no record), in one plain
    statement: what the receipt page needs of it on every visit (issue #23), where
    `resident_of` builds the record and its census entry."""
    rows = await fetch_rows(CENSUS_ENTRY_SQL, [user_id])
    return rows[0]["census_entry_id"] if rows else None


# what a person's record says, as the desk's pages show it (`state_of`)
STATE_LABELS = {
    "none": N_("Not verified"),
    "verified": N_("Verified resident"),
    "revoked": N_("Verification withdrawn"),
    "expired": N_("Verification expired"),
}


def state_of(record: Residency | None) -> str:
    if record is None:
        return "none"
    return verification_state(True, record.revoked_at, record.expires_at, timezone.now())


def valid_record(residency: Residency | None, now: datetime | None = None) -> bool:
    return residency is not None and record_is_valid(
        residency.revoked_at, residency.expires_at, now or timezone.now()
    )


async def census_count(district: str | None = None) -> int:
    """Rows of the register; with `district`, those of that district only."""
    if district is None:
        return await CensusEntry.filter(source="census").count()
    return await CensusEntry.filter(source="census", district=district).count()


async def record_of(user_id: int) -> Residency | None:
    """A person's verified-resident record, valid or not (for staff and the person's page)."""
    return await Residency.get_or_none(user_id=user_id).select_related(
        "census_entry", "verified_by"
    )


async def records_of(user_ids: list[int]) -> dict[int, Residency]:
    """The records of these accounts (one query), by account id."""
    if not user_ids:
        return {}
    rows = await Residency.filter(user_id__in=user_ids).select_related("census_entry")
    return {row.user_id: row for row in rows}  # type: ignore[attr-defined]


async def town_districts() -> list[str]:
    """The town's districts, by name: the named districts (`District`) and those of the census."""
    named = await District.all().values_list("name", flat=True)
    census_names = (
        await CensusEntry.filter(source="census", district__not_isnull=True)
        .distinct()
        .values_list("district", flat=True)
    )
    return sorted({str(n) for n in [*named, *census_names] if n})


async def census_loaded() -> bool:
    """Whether the town has loaded a census file (any row of it): one `LIMIT 1` query, which
    stops at the first census row (imported before the anchors, so found at once; a town
    without a census file reads its anchors, one per verified person, to say no)."""
    return await CensusEntry.filter(source="census").exists()


_NOT_ON_REGISTER = N_(
    "No one on the town's register has this identifier, birth date and postcode. Check them on "
    "the register or the person's letter, or tick “This person is not on the town's "
    "register”. Nothing was recorded."
)
_REGISTER_ROW_TAKEN = N_(
    "This person of the register is already verified with another account. Nothing was recorded."
)


async def verify_at_desk(
    settings: Settings,
    agent: User,
    user_id: int,
    proof: str,
    district: str,
    birth_date: str,
    *,
    identifier: str = "",
    postcode: str = "",
    not_on_file: bool = False,
    confirm_other: bool = False,
) -> Residency:
    """At the counter: the agent checked a proof of address in person (nothing stored but the
    kind of proof, the district, the birth date, the agent and the date). In a town with a
    census file, the record points at the person's census row (the census facts the agent
    read), or, only when the agent says the person is not on the register, at an anchor row of
    the account's own (issue #19: one person, one row, so one vote, online or on paper)."""
    person = await User.get_or_none(id=user_id)
    if person is None or person.deleted_at is not None:
        raise refuse(N_("This account was deleted: it cannot be verified."))
    check, problems = desk.desk_check(
        proof,
        district,
        birth_date,
        await town_districts(),
        timezone.now().date(),
        census_loaded=await census_loaded(),
        identifier=identifier,
        postcode=postcode,
        not_on_file=not_on_file,
    )
    if check is None:
        raise Refused(problems)
    entry: CensusEntry | None = None
    after: dict[str, Any] = {}
    if check.identifier:
        entry = await CensusEntry.get_or_none(
            lookup_hash=lookup_hash(
                census_key(settings.secret_key), check.identifier, check.birth_date, check.postcode
            ),
            source="census",
        )
        if entry is None:
            raise refuse(_NOT_ON_REGISTER, "identifier")
        holder = await Residency.get_or_none(census_entry_id=entry.id).only("id", "user_id")
        if holder is not None and holder.user_id != user_id:  # type: ignore[attr-defined]
            raise refuse(_REGISTER_ROW_TAKEN, "identifier")
    else:
        other = await _desk_lookalike(user_id, check.birth_date, check.district)
        if problem := desk.lookalike_problem(
            other.display_name if other is not None else None,
            confirm_other,
            check.birth_date,
            check.district,
        ):
            raise Refused([problem])
        if check.not_on_file:
            after["not_on_file"] = True
        if other is not None:
            after["confirmed_other_than"] = other.id
    return await record_verification(
        settings,
        user_id,
        desk.METHOD,
        census_entry=entry,
        district=check.district,
        birth_date=check.birth_date,
        agent=agent,
        proof=check.proof,
        audited=after,
    )


async def _desk_lookalike(user_id: int, born: date, district: str) -> User | None:
    """Another account verified at the desk on an anchor row with this birth date and
    district, if any (the desk asks the agent whether it is the same person)."""
    other = (
        await Residency.filter(
            method="desk",
            birth_date=born,
            census_entry__source="desk",
            census_entry__district=district,
        )
        .exclude(user_id=user_id)
        .only("id", "user_id")
        .order_by("id")
        .first()
    )
    if other is None:
        return None
    return await User.get_or_none(id=other.user_id)  # type: ignore[attr-defined]


async def known_birth_date(user_id: int) -> date | None:
    """A birth date an identity provider vouched for (BirthDateClaim), if any."""
    claim = await BirthDateClaim.get_or_none(user_id=user_id)
    return claim.birth_date if claim is not None else None


async def note_birth_date(user_id: int, birth_date: date, source: str) -> None:
    """An identity provider's verified birth date (its claim): kept for the person, and given
    to their record when its method knew none (the letter), so that age rules can count it. A
    birth date checked by the method itself (census, desk) is never replaced."""
    async with in_transaction():
        if not await BirthDateClaim.filter(user_id=user_id).update(
            birth_date=birth_date, source=source[:100], claimed_at=timezone.now()
        ):
            await BirthDateClaim.create(user_id=user_id, birth_date=birth_date, source=source[:100])
        record = await Residency.get_or_none(user_id=user_id)
        if record is not None and record.birth_date is None:
            await Residency.filter(id=record.id, birth_date=None).update(birth_date=birth_date)
            await CensusEntry.filter(id=record.census_entry_id, source__not="census").update(
                birth_year=birth_date.year
            )
