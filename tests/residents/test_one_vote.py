"""One person, one vote across verification methods (issue #19): a record is never moved to
another census row (the account's anchor ↔ the person's census row) while the row it leaves
holds a vote still open, whatever the page (the census, the desk, the letter); once that vote
has closed, it may. And the paper desk: the desk verification links a person on the census
file to their census row, the paper desk also finds a voter by their record (the row their web
ballot keys on), and a letter record does not vote where paper ballots key on the census."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx
import pytest

from budgets import ballot_services, domain
from budgets import services as budget_services
from budgets.models import Budget, Channel, Phase, Project, VoterRegister
from participation.accounts.models import User
from participation.audit import AuditLogEntry as AuditEntry
from participation.refusals import Refused
from participation.residents import letters
from participation.residents import services as residents
from participation.residents.domain import may_move_record
from participation.residents.models import CensusEntry, District, LetterCode, Residency
from participation.settings import Settings
from tests.budgets.factories import CENSUS, PERSON, budget_in_voting, verified
from tests.conftest import log_in, logged_in, post_form
from tests.residents.test_verification import ADDRESS, DESK, DESK_LINKED, printed_codes

REFUSED_FR = "a déjà pris part, avec sa vérification précédente, à un vote encore ouvert"
REFUSED_EN = "already took part, with its former verification, in a vote that is still open"
OFF_FILE = {**DESK, "not_on_file": "on"}  # the agent says the person is not on the register


# --- the rule, pure ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "new", "holds_open_vote", "may"),
    [
        (None, 7, True, True),  # no record yet: nothing to move
        (None, None, True, True),
        (7, 7, True, True),  # the same row (desk after letter: the same anchor)
        (7, 9, False, True),  # another row, no open vote on the old one
        (7, 9, True, False),  # another row while the old one holds an open vote
        (7, None, True, False),  # to an anchor not made yet: another row too
        (7, None, False, True),
    ],
)
def test_a_record_moves_to_another_row_only_without_an_open_vote(
    current: int | None, new: int | None, holds_open_vote: bool, may: bool
) -> None:
    assert may_move_record(current, new, holds_open_vote) is may


@pytest.mark.parametrize(
    ("phase", "open_"),
    [
        (Phase.PREPARATION, True),
        (Phase.SUBMISSION, True),
        (Phase.REVIEW, True),
        (Phase.VOTING, True),
        (Phase.TALLY, False),
        (Phase.RESULTS, False),
    ],
)
def test_a_budget_vote_is_closed_from_the_count_on(phase: Phase, open_: bool) -> None:
    assert domain.vote_not_closed(phase) is open_


# --- helpers ---------------------------------------------------------------------------------


async def vote_online(
    settings: Settings, budget: Budget, projects: list[Project], user: User
) -> int:
    """The person votes through their valid record; returns the census row the vote keys on."""
    state = await ballot_services.voting_state(budget.id, user.id)
    assert state is not None and state.census_entry_id is not None
    await ballot_services.cast_ballot(
        settings, budget.id, state.census_entry_id, state.voter, {projects[0].id: 1}
    )
    return state.census_entry_id


async def vote_on_paper(
    settings: Settings, budget: Budget, project: Project, desk_voter: Any, agent: User
) -> None:
    """The person checked in at a paper desk (`desk_voter`), their paper ballot keyed by `agent`."""
    await ballot_services.cast_ballot(
        settings,
        budget.id,
        desk_voter.census_entry_id,
        desk_voter.voter(),
        {project.id: 1},
        channel=Channel.PAPER,
        recorded_by=agent,
    )


async def close_the_vote(budget: Budget) -> None:
    await budget_services.switch_phase(budget.id, Phase.TALLY, by_user=None)


async def row_of(user: User) -> tuple[int, str, bool]:
    """The person's record: its census row, its method, whether it counts (not revoked)."""
    record = await Residency.get(user=user)
    return record.census_entry_id, record.method, record.revoked_at is None


async def census_row(settings: Settings) -> int:
    entry, _ = await residents.find_census_entry(settings, **PERSON)
    return entry.id


# --- anchor → census -------------------------------------------------------------------------


async def test_a_person_who_voted_through_the_desk_cannot_move_to_their_census_row(
    settings: Settings, client: httpx.AsyncClient, citizen: User, admin: User
) -> None:
    """Verified at the desk (anchor A), votes online, revoked; the census page refuses to
    verify them on their census row C while the vote is open, and lets them once it closed."""
    budget, projects = await budget_in_voting()
    await residents.import_census(settings, CENSUS.encode())
    await residents.verify_at_desk(settings, admin, citizen.id, **DESK, not_on_file=True)
    anchor = await vote_online(settings, budget, projects, citizen)
    assert await residents.revoke_verification(citizen.id, "Justificatif douteux", admin)
    verified_before = await AuditEntry.filter(action="resident_verified").count()

    await log_in(client, citizen)
    page = "/account/residency"
    refused = await post_form(client, page, PERSON, page)
    assert refused.status_code == 422
    assert REFUSED_FR in refused.text and "Rien n’a été enregistré" in refused.text
    assert await row_of(citizen) == (anchor, "desk", False)  # nothing written
    assert await AuditEntry.filter(action="resident_verified").count() == verified_before
    # the census row, with no vote in the register, would have taken a second ballot
    assert not await VoterRegister.filter(census_entry_id=await census_row(settings)).exists()

    await close_the_vote(budget)
    done = await post_form(client, page, PERSON, page)
    assert done.status_code == 303
    assert await row_of(citizen) == (await census_row(settings), "census", True)


# --- census → anchor -------------------------------------------------------------------------


async def test_a_person_who_voted_through_the_census_cannot_move_to_a_desk_anchor(
    settings: Settings, client: httpx.AsyncClient, citizen: User, admin: User
) -> None:
    budget, projects = await budget_in_voting()
    await verified(settings, citizen)  # census row C
    row = await vote_online(settings, budget, projects, citizen)
    assert await residents.revoke_verification(citizen.id, "Erreur", admin)

    await log_in(client, admin)
    page = f"/admin/residents/{citizen.id}"
    refused = await post_form(client, page, OFF_FILE, page)
    assert refused.status_code == 422 and REFUSED_FR in refused.text
    assert await row_of(citizen) == (row, "census", False)
    anchor = residents.anchor_hash(settings, citizen.id)
    assert not await CensusEntry.filter(lookup_hash=anchor).exists()  # no anchor made

    await close_the_vote(budget)
    done = await post_form(client, page, OFF_FILE, page)
    assert done.status_code == 303
    entry, method, valid = await row_of(citizen)
    assert (method, valid) == ("desk", True) and entry != row
    assert (await CensusEntry.get(id=entry)).source == "desk"  # the account's anchor


async def test_a_census_voter_keeps_their_letter_code_until_the_vote_closes(
    settings: Settings, citizen: User, admin: User, app: Any
) -> None:
    budget, projects = await budget_in_voting()
    await verified(settings, citizen)
    row = await vote_online(settings, budget, projects, citizen)
    assert await residents.revoke_verification(citizen.id, "Erreur", admin)
    await letters.save_address(settings, citizen, ADDRESS)
    code = (await printed_codes(settings, admin))["Camille Test"]

    async with logged_in(app, citizen) as browser:
        page = "/account/verification"
        refused = await post_form(browser, f"{page}/code", {"code": code}, page)
        assert refused.status_code == 422 and REFUSED_FR in refused.text
        assert await row_of(citizen) == (row, "census", False)
        kept = await LetterCode.get(user=citizen)
        assert (kept.used_at, kept.attempts) == (None, 0)  # the code is not spent

        await close_the_vote(budget)
        done = await post_form(browser, f"{page}/code", {"code": code}, page)
        assert done.status_code == 303
    entry, method, valid = await row_of(citizen)
    assert (method, valid) == ("letter", True) and entry != row


async def test_a_person_who_did_not_vote_may_change_method_during_a_vote(
    settings: Settings, citizen: User, admin: User
) -> None:
    await budget_in_voting()
    await verified(settings, citizen)
    assert await residents.revoke_verification(citizen.id, "Erreur", admin)
    await residents.verify_at_desk(settings, admin, citizen.id, **DESK, not_on_file=True)
    assert (await row_of(citizen))[1:] == ("desk", True)


async def test_a_desk_record_revoked_then_a_letter_keeps_the_anchor_and_the_vote(
    settings: Settings, citizen: User, admin: User
) -> None:
    """The desk and the letter share the account's anchor: not a move, allowed during the vote,
    and the register still knows the person voted (no second ballot)."""
    budget, projects = await budget_in_voting()
    await residents.import_census(settings, CENSUS.encode())
    await residents.verify_at_desk(settings, admin, citizen.id, **DESK, not_on_file=True)
    anchor = await vote_online(settings, budget, projects, citizen)
    assert await residents.revoke_verification(citizen.id, "Erreur", admin)
    await letters.save_address(settings, citizen, ADDRESS)
    code = (await printed_codes(settings, admin))["Camille Test"]
    await letters.enter_code(settings, citizen, code)
    assert await row_of(citizen) == (anchor, "letter", True)
    assert await ballot_services.has_voted(budget.id, anchor)


# --- a race ----------------------------------------------------------------------------------


async def test_two_verifications_at_once_during_an_open_vote_leave_one_record(
    settings: Settings, citizen: User, admin: User
) -> None:
    """Revoked on the anchor that voted: the desk (same anchor) and the census (another row)
    at once. The census is refused whatever the order; one record, on the anchor."""
    budget, projects = await budget_in_voting()
    await residents.import_census(settings, CENSUS.encode())
    await residents.verify_at_desk(settings, admin, citizen.id, **DESK, not_on_file=True)
    anchor = await vote_online(settings, budget, projects, citizen)
    assert await residents.revoke_verification(citizen.id, "Erreur", admin)
    verified_before = await AuditEntry.filter(action="resident_verified").count()

    async def attempt(verification: Any) -> Any:
        try:
            return await verification
        except Refused as refused:
            return refused

    outcomes = await asyncio.gather(
        attempt(residents.verify_residency(settings, citizen, **PERSON)),
        attempt(residents.verify_at_desk(settings, admin, citizen.id, **DESK, not_on_file=True)),
    )
    census_outcome, desk_outcome = outcomes
    assert isinstance(census_outcome, Refused)
    # refused as a move (the desk had not written yet) or as a second record (it had)
    message = census_outcome.problems[0].message
    assert REFUSED_EN in message or message == "Your account is already verified."
    assert isinstance(desk_outcome, Residency)
    assert await Residency.filter(user=citizen).count() == 1
    assert await row_of(citizen) == (anchor, "desk", True)
    assert await AuditEntry.filter(action="resident_verified").count() == verified_before + 1


# --- the paper desk (issue #19) -----------------------------------------------------------------


async def test_a_person_verified_at_the_desk_with_their_register_line_votes_once(
    settings: Settings, citizen: User, admin: User
) -> None:
    """Online first: the desk linked the record to the census row C, so the paper desk, which
    finds the person by the same three facts, finds the vote."""
    budget, projects = await budget_in_voting()
    await residents.import_census(settings, CENSUS.encode())
    await residents.verify_at_desk(settings, admin, citizen.id, **DESK_LINKED)
    row = await vote_online(settings, budget, projects, citizen)
    assert row == await census_row(settings)  # no anchor: the person's own line
    with pytest.raises(Refused) as refused:  # the same person, with their census letter
        await ballot_services.check_in_at_desk(settings, budget.id, **PERSON)
    assert refused.value.problems[0].message == "This resident has already voted."


async def test_a_person_who_voted_on_paper_cannot_vote_online_once_verified_at_the_desk(
    settings: Settings, citizen: User, admin: User
) -> None:
    budget, projects = await budget_in_voting()
    await residents.import_census(settings, CENSUS.encode())
    desk_voter = await ballot_services.check_in_at_desk(settings, budget.id, **PERSON)  # row C
    await vote_on_paper(settings, budget, projects[1], desk_voter, admin)
    await residents.verify_at_desk(settings, admin, citizen.id, **DESK_LINKED)  # row C too
    with pytest.raises(Refused) as refused:
        await vote_online(settings, budget, projects, citizen)
    assert refused.value.problems[0].message == "You have already voted at a town-hall desk."


async def test_a_person_not_on_the_register_votes_on_paper_through_their_record_once(
    settings: Settings, citizen: User, admin: User
) -> None:
    """Verified at the desk as not on the register (an anchor): the paper desk finds them by
    their record and keys the vote on the anchor, the row the web ballot keys on."""
    budget, projects = await budget_in_voting()
    await residents.import_census(settings, CENSUS.encode())
    await residents.verify_at_desk(settings, admin, citizen.id, **DESK, not_on_file=True)
    desk_voter = await ballot_services.check_in_by_record(settings, budget.id, citizen.id)
    assert desk_voter.voter() == domain.Voter(True, date(2008, 5, 2), "Nord")  # the record's
    await vote_on_paper(settings, budget, projects[1], desk_voter, admin)
    with pytest.raises(Refused):
        await vote_online(settings, budget, projects, citizen)
    with pytest.raises(Refused) as refused:  # nor a second time on paper
        await ballot_services.check_in_by_record(settings, budget.id, citizen.id)
    assert refused.value.problems[0].message == "This resident has already voted."


async def test_a_person_who_voted_online_is_refused_at_the_paper_desk_by_their_record(
    settings: Settings, citizen: User, admin: User
) -> None:
    budget, projects = await budget_in_voting()
    await District.create(name="Nord", slug="nord")  # a town without a census file
    await residents.verify_at_desk(settings, admin, citizen.id, **DESK)  # an anchor
    await vote_online(settings, budget, projects, citizen)
    with pytest.raises(Refused) as refused:
        await ballot_services.check_in_by_record(settings, budget.id, citizen.id)
    assert refused.value.problems[0].message == "This resident has already voted."


async def test_a_census_voter_is_one_person_at_the_paper_desk(
    settings: Settings, citizen: User, admin: User
) -> None:
    """Verified through the census: online and the paper desk key on the same row C."""
    budget, projects = await budget_in_voting()
    await verified(settings, citizen)
    await vote_online(settings, budget, projects, citizen)
    with pytest.raises(Refused) as refused:
        await ballot_services.check_in_at_desk(settings, budget.id, **PERSON)
    assert refused.value.problems[0].message == "This resident has already voted."


# --- the letter in a town with a census file (issue #19) ------------------------------------


@pytest.mark.parametrize(
    ("method", "census_loaded", "takes_paper", "refused"),
    [
        ("letter", True, True, True),  # could also vote on paper through their census row
        ("letter", False, True, False),  # no census file: the anchor is the person's only row
        ("letter", True, False, False),  # no paper ballots keyed on the census
        ("desk", True, True, False),  # the desk links to the census row or says "not on it"
        ("census", True, True, False),
        (None, True, True, False),
    ],
)
def test_a_letter_record_does_not_vote_where_paper_ballots_key_on_the_census(
    method: str | None, census_loaded: bool, takes_paper: bool, refused: bool
) -> None:
    problem = domain.letter_record_problem(method, census_loaded, takes_paper)
    assert (problem is not None) is refused


async def verified_by_letter(settings: Settings, citizen: User, admin: User) -> None:
    await letters.save_address(settings, citizen, ADDRESS)
    code = (await printed_codes(settings, admin))["Camille Test"]
    await letters.enter_code(settings, citizen, code)


async def test_a_letter_record_votes_only_in_a_town_without_a_census_file(
    settings: Settings, citizen: User, admin: User, app: Any
) -> None:
    budget, projects = await budget_in_voting()
    await District.create(name="Nord", slug="nord")
    await verified_by_letter(settings, citizen, admin)
    async with logged_in(app, citizen) as browser:
        assert (await browser.get(f"/budgets/{budget.id}/ballot")).status_code == 200
        await residents.import_census(settings, CENSUS.encode())  # now the town has one
        refused = await browser.get(f"/budgets/{budget.id}/ballot")
        assert refused.status_code == 403
        assert "Votre vérification par courrier postal ne dit pas" in refused.text
        assert "/account/verification" in refused.text
        posted = await post_form(
            browser, f"/budgets/{budget.id}/ballot", {"project": str(projects[0].id)}
        )
        assert posted.status_code == 403
    with pytest.raises(Refused):  # nor at the paper desk through the record
        await ballot_services.check_in_by_record(settings, budget.id, citizen.id)
    assert not await VoterRegister.filter(budget_id=budget.id).exists()


# --- the paper desk finds a person by name (HTTP) -----------------------------------------------


async def test_the_paper_desk_finds_a_verified_resident_by_name(
    settings: Settings, client: httpx.AsyncClient, citizen: User, admin: User
) -> None:
    budget, projects = await budget_in_voting()
    await residents.import_census(settings, CENSUS.encode())
    await residents.verify_at_desk(settings, admin, citizen.id, **DESK, not_on_file=True)
    await log_in(client, admin)
    desk = f"/admin/budgets/{budget.id}/paper-ballot"
    found = await client.get(desk, params={"q": "camille"})
    assert found.status_code == 200 and "Choisir Camille Test et passer au bulletin" in found.text
    person = f"{desk}/person"
    for forged in ("", "abc", "-3", "99999", str(2**40)):  # no such person: refused, nothing held
        refused = await post_form(client, person, {"person": forged}, desk)
        assert refused.status_code == 422, forged
        assert 'id="person"' in refused.text
    refused = await post_form(client, person, {"person": str(admin.id)}, desk)  # not verified
    assert refused.status_code == 422 and "pas un habitant vérifié" in refused.text

    checked_in = await post_form(client, person, {"person": str(citizen.id)}, desk)
    assert checked_in.status_code == 303
    assert checked_in.headers["location"].endswith(f"{desk}/choices")
    choices = await post_form(
        client, f"{desk}/choices", {"project": str(projects[0].id)}, f"{desk}/choices"
    )
    assert choices.status_code == 303
    anchor = (await Residency.get(user=citizen)).census_entry_id
    assert await VoterRegister.filter(budget_id=budget.id, census_entry_id=anchor).exists()
    again = await post_form(client, person, {"person": str(citizen.id)}, desk)
    assert again.status_code == 422 and "Cet habitant a déjà voté." in again.text
