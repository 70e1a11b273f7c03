"""RGPD: a resident downloads their data and deletes their account (docs/privacy.md)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from tortoise.timezone import now

from budgets import ballot_services
from budgets import domain as budget_domain
from budgets.models import SealedBallot, VoterRegister
from consultations import services as consultation_services
from consultations.models import Response
from participation.accounts.models import EmailChange, User, UserSession
from participation.mail import OutboxEmail, queue_email
from participation.notifications import services as notifications
from participation.notifications.models import Notification, NotificationPreference
from participation.notifications.preferences import Channel
from participation.proposals import services as proposals
from participation.proposals.models import Proposal, Support
from participation.refusals import Refused
from participation.residents import services as residents
from participation.residents.models import CensusEntry, Residency
from participation.settings import Settings
from tests.budgets.factories import CENSUS, PERSON, ballots_of, budget_in_voting, verified
from tests.conftest import TEST_PASSWORD, create_user, log_in, post_form
from tests.consultations.factories import consultation_open
from tests.consultations.test_results import items
from tests.participation.proposal_factories import comment_on, make_proposal


def today():  # type: ignore[no-untyped-def]
    return now().date()


async def active_resident(settings: Settings, citizen: User) -> dict[str, Any]:
    """A verified resident who proposed, commented, supported, answered and voted."""
    neighbour = await create_user(settings, "voisine@example.org", display_name="Voisine")
    own = await make_proposal(citizen, title="Un banc sous le tilleul")
    other = await make_proposal(neighbour, title="Des arceaux à vélo")
    comment = await comment_on(settings, other, citizen, "<p>Bonne idée, rue Pasteur</p>", "for")
    await proposals.support(settings, other, citizen)
    await comment_on(settings, own, neighbour, "<p>Oui !</p>", "for")  # a notification
    budget, projects = await budget_in_voting()
    await verified(settings, citizen)
    entry = await CensusEntry.get(residency__user=citizen)
    residency = await Residency.get(user=citizen)
    voter = budget_domain.Voter(True, residency.birth_date, entry.district)
    receipt = await ballot_services.cast_ballot(
        settings, budget.id, entry, voter, {projects[0].id: 1}
    )
    return {"own": own, "other": other, "comment": comment, "budget": budget, "receipt": receipt}


async def test_a_resident_downloads_all_their_data_but_never_their_ballot(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    scene = await active_resident(settings, citizen)
    await notifications.save_preferences(citizen.id, {"comment": Channel.DIGEST})
    await log_in(client, citizen)
    await post_form(
        client,
        "/account/email",
        {"new_email": "nouvelle@example.org", "email_password": TEST_PASSWORD},
        "/account",
    )
    assert 'href="/account/data.json"' in (await client.get("/account")).text
    response = await client.get("/account/data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    data = response.json()
    assert data["account"]["email"] == citizen.email
    assert data["account"]["display_name"] == "Camille Test"
    assert [p["title"] for p in data["proposals"]] == ["Un banc sous le tilleul"]
    assert [c["id"] for c in data["comments"]] == [scene["comment"].id]
    assert [s["proposal_id"] for s in data["supports"]] == [scene["other"].id]
    assert len(data["notifications"]) == 1
    assert data["notification_preferences"][0]["channel"] == "digest"
    assert data["email_changes"][0]["new_email"] == "nouvelle@example.org"
    assert data["residency"]["district"] == "Nord"
    assert data["residency"]["birth_date"] == PERSON["birth_date"]
    assert [v["budget"] for v in data["budgets"]["voted_in"]] == [scene["budget"].title]
    assert data["budgets"]["projects_submitted"] == []  # the factory's projects are staff's
    assert "participatory budget" not in data["budgets"]["note"]  # French by default
    assert "budget participatif" in data["budgets"]["note"]
    # how they voted is nowhere in the file: no receipt, no choice, no ballot token
    [ballot] = await ballots_of(scene["budget"].id)
    [sealed] = await SealedBallot.filter(budget=scene["budget"])
    text = response.text
    assert scene["receipt"] not in text and ballot.receipt not in text
    assert str(sealed.token) not in text and ballot.choices not in text
    assert "password" not in text and "token_hash" not in text
    # someone else's data is not in it
    assert "voisine@example.org" not in text and "Des arceaux" not in json.dumps(data["proposals"])


async def test_the_download_needs_a_login(client: httpx.AsyncClient, app: Any) -> None:
    response = await client.get("/account/data.json")
    assert response.status_code == 303 and "/account/login" in response.headers["location"]


async def test_deleting_an_account_erases_the_person_and_keeps_the_counts(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    scene = await active_resident(settings, citizen)
    consultation, _questions = await consultation_open()
    await Response.create(  # a named answer
        consultation=consultation, token="t" * 64, user=citizen, answers="{}", submitted_on=today()
    )
    await queue_email(citizen.email, "Bonjour", "En attente")
    await notifications.save_preferences(citizen.id, {"comment": Channel.NEVER})
    await EmailChange.create(
        user=citizen, token_hash="e" * 64, new_email="n@example.org", expires_at=now()
    )
    await log_in(client, citizen)
    other = scene["other"]
    before = (await Proposal.get(id=other.id)).support_count

    page = await client.get("/account/delete")
    assert page.status_code == 200 and 'type="password"' in page.text
    response = await post_form(client, "/account/delete", {"password": TEST_PASSWORD})
    assert response.status_code == 303

    person = await User.get(id=citizen.id)
    assert person.is_deleted and person.email != citizen.email and "@" in person.email
    assert person.display_name == "" and person.password_hash != citizen.password_hash
    assert await UserSession.filter(user_id=citizen.id).count() == 0
    assert await Notification.filter(user_id=citizen.id).count() == 0
    assert not await NotificationPreference.filter(user_id=citizen.id).exists()
    assert not await EmailChange.filter(user_id=citizen.id).exists()
    assert await OutboxEmail.filter(recipient=citizen.email).count() == 0
    assert await Response.filter(user_id=citizen.id).count() == 0
    assert await Response.filter(consultation=consultation).count() == 1  # the answer stays
    # counts: the support stays, and so do the register row and the secret ballot
    assert (await Proposal.get(id=other.id)).support_count == before
    assert await Support.filter(proposal_id=other.id).count() == before
    assert await VoterRegister.filter(budget=scene["budget"]).count() == 1
    assert len(await ballots_of(scene["budget"].id)) == 1
    residency = await Residency.get(user_id=citizen.id)
    assert residency.birth_date.month == 1 and residency.birth_date.day == 1  # year only

    # the old cookie no longer works, nor does the password
    assert (await client.get("/account")).status_code == 303
    login = await post_form(
        client, "/account/login", {"email": citizen.email, "password": TEST_PASSWORD}
    )
    assert login.status_code == 401  # as any wrong password
    # nobody can bring the account back through "forgot my password" on its erased address
    await post_form(client, "/account/reset", {"email": person.email})
    assert await OutboxEmail.filter(recipient=person.email).count() == 0
    # public content stays, signed "Ancien participant" / "Former participant"
    page = await client.get(f"/proposals/{scene['own'].id}")
    assert "Un banc sous le tilleul" in page.text and "Ancien participant" in page.text
    assert "Camille Test" not in page.text
    english = await client.get(f"/proposals/{other.id}", headers={"Accept-Language": "en"})
    assert "Former participant" in english.text and "Bonne idée, rue Pasteur" in english.text
    # someone comments on the deleted person's proposal: nobody to notify, no e-mail queued
    neighbour = await User.get(email="voisine@example.org")
    await comment_on(settings, scene["own"], neighbour, "<p>Toujours d'actualité</p>", "for")
    assert await Notification.filter(user_id=citizen.id).count() == 0
    assert await OutboxEmail.filter(recipient=person.email).count() == 0


async def test_the_same_person_cannot_vote_again_with_a_new_account(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    scene = await active_resident(settings, citizen)
    await log_in(client, citizen)
    await post_form(client, "/account/delete", {"password": TEST_PASSWORD})
    again = await create_user(settings, citizen.email, display_name="Camille revient")
    await residents.import_census(settings, CENSUS.encode())
    with pytest.raises(Refused) as refused:
        await residents.verify_residency(
            settings, again, PERSON["identifier"], PERSON["birth_date"], PERSON["postcode"]
        )
    assert "already used to verify another account" in refused.value.problems[0].message
    assert await Residency.filter(user=again).count() == 0
    assert await VoterRegister.filter(budget=scene["budget"]).count() == 1


async def test_deleting_needs_the_right_password_and_a_csrf_token(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    await log_in(client, citizen)
    wrong = await post_form(client, "/account/delete", {"password": "pas-le-bon-mot-de-passe"})
    assert wrong.status_code == 422
    assert 'aria-invalid="true"' in wrong.text and "mot de passe" in wrong.text
    forged = await client.post("/account/delete", data={"password": TEST_PASSWORD})
    assert forged.status_code == 403
    person = await User.get(id=citizen.id)
    assert not person.is_deleted and person.email == citizen.email
    assert (await client.get("/account")).status_code == 200


async def test_an_anonymous_answer_is_exported_as_taking_part_not_as_answers(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    consultation, questions = await consultation_open()
    from tests.consultations.factories import valid_answers

    fields = await valid_answers(questions)
    await consultation_services.submit_response(
        settings, consultation.id, citizen, None, items(fields)
    )
    await log_in(client, citizen)
    data = (await client.get("/account/data.json")).json()
    assert [p["consultation_id"] for p in data["consultations"]["took_part"]] == [consultation.id]
    assert data["consultations"]["named_answers"] == []  # anonymous: not linked to the account
    assert "anonymes" in data["consultations"]["note"]
