"""The demo town (`participation demo`, run by `make run` at every start) seeds once and never
touches what people created; and what it shows is true to its own data: the council's response
agrees with the consultation's results, « seuil atteint » only at the threshold, and greedy and
equal shares fund different projects in the 2025 budget (issue #15)."""

from __future__ import annotations

import io
import json
from typing import Any

from PIL import Image

from budgets import tallying
from budgets.models import Budget, TallyResult, VoterRegister
from consultations import demo as consultations_demo
from consultations.models import Consultation, Option, Question, QuestionKind, Result
from followup.models import Commitment
from participation import demo
from participation.audit import AuditLogEntry
from participation.comments.models import Comment
from participation.notifications.models import Notification
from participation.proposals.domain import ProposalState
from participation.proposals.models import Proposal, Support
from participation.residents.models import Residency
from participation.settings import Settings
from participation.sitesettings.models import THE_ROW, SiteSettings
from tests.conftest import create_user
from tests.participation.proposal_factories import make_proposal


async def _register() -> list[tuple[Any, ...]]:
    rows = (
        await VoterRegister.all()
        .order_by("id")
        .values_list("id", "budget_id", "census_entry_id", "channel", "voted_on")
    )
    return list(rows)


async def test_running_the_demo_again_leaves_people_and_the_record_alone(
    app: Any, settings: Settings
) -> None:
    await demo.seed(settings)
    # people use the town: a proposal of their own, and someone whose address looks like a
    # demo resident's (but is not one)
    person = await create_user(settings, "vraie.habitante@example.org")
    lookalike = await create_user(settings, "habitant@example.org")
    proposal = await make_proposal(person, title="Un abri à vélos devant la gare")
    await make_proposal(lookalike, state=ProposalState.ACCEPTED, title="Un préau à l'école")
    register = await _register()
    audit = await AuditLogEntry.all().count()
    dates = await Budget.all().order_by("id").values_list("voting_opens_at", "voting_closes_at")
    commitments = await Commitment.all().count()

    await demo.seed(settings)  # the next `make run`

    fresh = await Proposal.get(id=proposal.id)
    assert fresh.support_count == 0 and not await Support.filter(proposal=proposal).exists()
    assert not await Comment.filter(proposal=proposal).exists()
    assert not await Residency.filter(user_id__in=[person.id, lookalike.id]).exists()
    assert await Commitment.all().count() == commitments  # no commitment made for people
    assert await AuditLogEntry.all().count() == audit  # no new audit entry
    assert await _register() == register  # no voting time rewritten
    assert (
        await Budget.all().order_by("id").values_list("voting_opens_at", "voting_closes_at")
        == dates
    )
    assert not await Notification.filter(user_id__in=[person.id, lookalike.id]).exists()


async def test_what_the_demo_shows_is_true_to_its_data(app: Any, settings: Settings) -> None:
    await demo.seed(settings)
    threshold = settings.proposal_support_threshold
    for proposal in await Proposal.all():
        assert proposal.support_count == await Support.filter(proposal=proposal).count()
        reached = proposal.state == ProposalState.THRESHOLD_REACHED
        assert reached == (proposal.support_count >= threshold), proposal.title
    assert await Proposal.filter(state=ProposalState.THRESHOLD_REACHED).exists()

    # the council says Sunday morning came first and the late Thursday next: so say the results
    closed = await Consultation.get(title=consultations_demo.CLOSED_TITLE)
    assert "dimanche matin" in closed.outcome_heard and "jeudi" in closed.outcome_heard
    ranking = await Question.get(consultation=closed, kind=QuestionKind.RANKING)
    labels = dict(await Option.filter(question=ranking).values_list("id", "label"))
    result = json.loads((await Result.get(consultation=closed)).content)
    item = result["questions"][str(ranking.id)]
    by_borda = [labels[o["id"]] for o in sorted(item["options"], key=lambda o: -o["borda"])]
    assert by_borda[:2] == ["Ouverture le dimanche matin", "Fermeture à 20 h le jeudi"]
    assert labels[item["condorcet_winner"]] == "Ouverture le dimanche matin"
    assert closed.closed_at == closed.closes_at  # it closed at its date, shown so

    # the results page compares the two rules: in 2025 they fund different projects
    budget = await Budget.get(title="Budget participatif 2025")
    assert await tallying.tally_and_store(budget.id) == "unchanged"  # the stored tally
    funded = {}
    for stored in await TallyResult.filter(budget=budget, is_official=False):
        outcome = json.loads(stored.outcome)
        funded[stored.rule] = {
            (envelope["name"], project)
            for envelope in outcome["envelopes"]
            for project in envelope["selected"]
        }
    assert set(funded) == {"greedy", "equal-shares"}
    assert funded["greedy"] != funded["equal-shares"]


async def test_the_demo_desk_officer_opens_the_counter_and_nothing_of_the_budgets(
    app: Any, settings: Settings
) -> None:
    """The demo's agent account (issue #19) logs in with its published password: the counter
    opens, the budgets' administration is refused."""
    from tests.conftest import post_form
    from tests.moderation.helpers import browser

    await demo.create_accounts(settings)
    email, _name, role, password = demo.DEMO_ACCOUNTS[-1]
    assert role.value == "agent"
    async with browser(app) as client:
        await post_form(client, "/account/login", {"email": email, "password": password})
        counter = await client.get("/admin/counter")
        assert counter.status_code == 200 and "Inès Bernard" in counter.text
        # the budgets' administration (/admin/budgets itself is no page: its entry is "new")
        assert (await client.get("/admin/budgets/new")).status_code == 403


async def test_every_header_says_the_towns_name_beside_its_logo(
    app: Any, settings: Settings, client: Any
) -> None:
    await demo.seed(settings)
    saved = await SiteSettings.get(id=THE_ROW)
    assert saved.site_name == "Villebelle-sur-Loire" and saved.logo_digest
    page = (await client.get("/proposals", headers={"Accept-Language": "fr"})).text
    header = page.split('<a class="site-name"', 1)[1].split("</a>", 1)[0]
    logo = f"/site/logo/{saved.logo_digest}.png"
    assert f'<img class="site-logo" src="{logo}" alt=""' in header
    assert header.rstrip().endswith('<span class="site-name-text">Villebelle-sur-Loire</span>')
    drawn = await client.get(logo)  # drawn by the demo (Pillow), nothing downloaded
    assert drawn.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(drawn.content)).size == (saved.logo_width, saved.logo_height)
    # a town that saved its own settings keeps them: running the demo again changes nothing
    await SiteSettings.filter(id=THE_ROW).update(site_name="Ville de Test")
    await demo.seed(settings)
    assert (await SiteSettings.get(id=THE_ROW)).site_name == "Ville de Test"
    assert await AuditLogEntry.filter(action="site_settings_edit").count() == 1
