"""The letter method's commands: the resident's postal address, the staff's batch of letters (a
PDF, one letter per page, French layout, each with a one-time code) and the code typed back.

Codes are never stored in clear (`methods/letter.py::code_hash`); they exist in clear only in the
PDF, built in the request that made them. A new batch replaces a person's code."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise import timezone
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from participation import pdf
from participation.accounts.models import User
from participation.audit import audit
from participation.formatting import format_date
from participation.i18n import N_, gettext
from participation.refusals import Problem, Refused, refuse
from participation.residents import services
from participation.residents.census import census_key
from participation.residents.methods import letter
from participation.residents.models import LetterCode, PostalAddress, Residency
from participation.settings import Settings


def _key(settings: Settings) -> bytes:
    return census_key(settings.secret_key)


async def address_of(user_id: int) -> PostalAddress | None:
    return await PostalAddress.get_or_none(user_id=user_id)


async def code_of(user_id: int) -> LetterCode | None:
    return await LetterCode.get_or_none(user_id=user_id)


_ADDRESS_TAKEN = N_(
    "A resident of this name at this address is already verified with another account. If it "
    "is not you, come to the town hall's counter. Nothing was recorded."
)


async def _refuse_an_address_verified_for_another_account(hashed: str, user_id: int) -> None:
    """One person, two accounts (issue #19): a letter cannot verify a second account for the
    same recipient at the same address (`letter.address_hash`)."""
    if await Residency.filter(address_hash=hashed).exclude(user_id=user_id).exists():
        raise refuse(_ADDRESS_TAKEN, "recipient")


async def save_address(settings: Settings, user: Any, data: dict[str, str]) -> PostalAddress:
    """The resident's address for a letter (a new one replaces the old; the next batch prints
    a letter to it)."""
    if services.valid_record(await services.record_of(user.id)):
        raise refuse(N_("Your account is already verified."))
    form, problems = letter.address_form(data, await services.town_districts())
    if form is None:
        raise Refused(problems)
    await _refuse_an_address_verified_for_another_account(
        letter.address_hash(_key(settings), form.recipient, form.street, form.postcode), user.id
    )
    values = form.__dict__
    async with in_transaction():
        updated = await PostalAddress.filter(user_id=user.id).update(
            **values, updated_at=timezone.now()
        )
        if not updated:
            await PostalAddress.create(user_id=user.id, **values)
        # a letter already printed to the old address no longer counts
        await LetterCode.filter(user_id=user.id, used_at=None).delete()
    return await PostalAddress.get(user_id=user.id)


async def waiting() -> list[PostalAddress]:
    """The addresses a letter must be printed for: no code (or none usable any more) and no
    valid record."""
    now = timezone.now()
    addresses = await PostalAddress.all().order_by("postcode", "recipient", "id")
    ids = [a.user_id for a in addresses]  # type: ignore[attr-defined]
    codes = {c.user_id: c for c in await LetterCode.filter(user_id__in=ids)}  # type: ignore[attr-defined]
    records = await services.records_of(ids)
    result = []
    for address in addresses:
        user_id = address.user_id  # type: ignore[attr-defined]
        if services.valid_record(records.get(user_id), now):
            continue
        code = codes.get(user_id)
        if (
            code is not None
            and letter.code_problem(
                True, code.used_at is not None, code.attempts, code.expires_at, now
            )
            is None
        ):
            continue  # a letter is on its way
        result.append(address)
    return result


async def purge_unused(now: datetime) -> dict[str, int]:
    """The retention job's part (participation/retention.py): erase the postal addresses whose
    letter expired unused, or to which no letter was printed in time (`letter.address_unused`),
    and the codes past their expiry, used or not (a used code's record keeps what matters)."""
    addresses = await PostalAddress.all().values_list("user_id", "updated_at")
    codes = {
        user_id: (printed, expires)
        for user_id, printed, expires in await LetterCode.all().values_list(
            "user_id", "printed_at", "expires_at"
        )
    }
    unused = [
        user_id
        for user_id, saved_at in addresses
        if letter.address_unused(saved_at, *codes.get(user_id, (None, None)), now)
    ]
    async with in_transaction():
        erased = await PostalAddress.filter(user_id__in=unused).delete() if unused else 0
        expired = await LetterCode.filter(expires_at__lte=now).delete()
    return {"letter_addresses": erased, "letter_codes": expired}


@dataclass(frozen=True)
class PrintedLetter:
    address: PostalAddress
    code: str  # in clear: only in the PDF
    expires_at: datetime


async def print_letters(settings: Settings, by_user: User, site_name: str) -> bytes | None:
    """A new code for each waiting address and the PDF of their letters (None: none waits)."""
    now = timezone.now()
    expires_at = now + timedelta(days=letter.CODE_DAYS)
    letters: list[PrintedLetter] = []
    async with in_transaction():
        for address in await waiting():
            user_id = address.user_id  # type: ignore[attr-defined]
            code = letter.new_code()
            values: dict[str, Any] = {
                "code_hash": letter.code_hash(_key(settings), user_id, code),
                "printed_at": now,
                "expires_at": expires_at,
                "attempts": 0,
                "used_at": None,
            }
            if not await LetterCode.filter(user_id=user_id).update(**values):
                await LetterCode.create(user_id=user_id, **values)
            letters.append(PrintedLetter(address, code, expires_at))
        if letters:
            await audit(by_user, "letters_printed", "letters", None, "", {"letters": len(letters)})
    if not letters:
        return None
    return await letters_pdf(settings, site_name, letters, now)


async def letters_pdf(
    settings: Settings, site_name: str, letters: list[PrintedLetter], now: datetime
) -> bytes:
    title = gettext("Verification letters")
    link = settings.base_url.rstrip("/") + "/account/verification"

    def draw(doc: pdf.Document) -> None:
        for printed in letters:
            _letter(doc, site_name, printed, now, link)

    return await pdf.render(site_name, title, draw)


def _letter(
    doc: pdf.Document, site_name: str, printed: PrintedLetter, now: datetime, link: str
) -> None:
    """One A4 page, French layout: the sender at the top left, the recipient in the window of a
    DL envelope (right, about 45 mm from the top), place and date, subject, the body, the code."""
    address = printed.address
    doc.add_page()
    doc.set_font(pdf.FONT, "B", pdf.TEXT_SIZE)
    doc.set_xy(pdf.MARGIN, 30)
    doc.multi_cell(80, pdf.LINE, site_name + "\n" + gettext("Town hall"))
    doc.set_font(pdf.FONT, "", pdf.TEXT_SIZE)
    recipient = [address.recipient, address.street]
    if address.complement:
        recipient.append(address.complement)
    recipient.append(f"{address.postcode} {address.city.upper()}")
    doc.set_xy(110, 50)
    doc.multi_cell(85, pdf.LINE, "\n".join(recipient))
    doc.set_xy(110, 85)
    doc.cell(85, pdf.LINE, gettext("On {date}").format(date=format_date(now)))
    doc.set_xy(pdf.MARGIN, 100)
    doc.paragraph(gettext("Subject: your code to confirm that you live in the town"), bold=True)
    doc.paragraph(gettext("Dear resident,"))
    doc.paragraph(
        gettext(
            "You asked to be verified as a resident on the participation platform. To confirm "
            "that you live at this address, log in to your account, open “{page}” and type "
            "the code below."
        ).format(page=link)
    )
    doc.ln(2)
    doc.set_font(pdf.FONT, "B", 22)
    doc.cell(0, 12, letter.shown_code(printed.code), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font(pdf.FONT, "", pdf.TEXT_SIZE)
    doc.ln(4)
    doc.paragraph(
        gettext(
            "This code can be used once, until {date}. Spaces and lower case do not matter. "
            "After 10 wrong codes it is locked."
        ).format(date=format_date(printed.expires_at))
    )
    doc.paragraph(
        gettext("If you did not ask for this letter, you can ignore it, or tell the town hall.")
    )


async def enter_code(settings: Settings, user: Any, typed: str) -> Residency:
    """The resident types their letter's code: right, their record is written (letter method)
    and their address deleted; wrong, one try fewer (locked at MAX_ATTEMPTS)."""
    code = letter.normalize_code(typed)
    if not code:
        raise Refused([Problem(N_("Type the code of your letter."), field="code")])
    row = await code_of(user.id)
    now = timezone.now()
    problem = letter.code_problem(
        row is not None,
        row is not None and row.used_at is not None,
        row.attempts if row is not None else 0,
        row.expires_at if row is not None else None,
        now,
    )
    if problem is not None or row is None:
        raise Refused([Problem(problem or "", field="code")])
    expected = letter.code_hash(_key(settings), user.id, code)
    if not hmac.compare_digest(expected, row.code_hash):
        await LetterCode.filter(id=row.id, attempts__lt=letter.MAX_ATTEMPTS).update(
            attempts=F("attempts") + 1
        )
        left = letter.MAX_ATTEMPTS - row.attempts - 1
        if left <= 0:
            message = letter.code_problem(True, False, letter.MAX_ATTEMPTS, None, now)
            raise Refused([Problem(message or "", field="code")])
        raise Refused(
            [
                Problem(
                    N_("This is not the code of your letter. Tries left: {left}."),
                    {"left": left},
                    "code",
                )
            ]
        )
    # refused before the code is spent: the resident keeps it for when the vote has closed
    await services.refuse_a_move_during_an_open_vote(settings, user.id)
    address = await PostalAddress.get(user_id=user.id)
    hashed = letter.address_hash(
        _key(settings), address.recipient, address.street, address.postcode
    )
    await _refuse_an_address_verified_for_another_account(hashed, user.id)
    # single use: only the first of two submissions at once finds it unused
    used = await LetterCode.filter(
        id=row.id, used_at=None, code_hash=row.code_hash, attempts__lt=letter.MAX_ATTEMPTS
    ).update(used_at=now)
    if not used:
        raise Refused([Problem(N_("This letter's code was already used."), field="code")])
    birth_date = await services.known_birth_date(user.id)
    residency = await services.record_verification(
        settings,
        user.id,
        letter.METHOD,
        district=address.district,
        birth_date=birth_date,
        address_hash=hashed,
    )
    await address.delete()  # no longer needed: the district is on the record
    return residency
