"""What the journeys cannot create through the UI in a reasonable number of steps, built through
the services: the council's census, a budget that already has published results, a consultation
with its questions, other people's contributions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tortoise import timezone

from budgets import ballot_services, project_services
from budgets import services as budgets
from budgets.models import BallotKind, Budget, BudgetDistrict, Feasibility, Phase, Project
from consultations import services as consultations
from consultations.models import Option, Question, QuestionKind
from consultations.models import Phase as ConsultationPhase
from participation.accounts.models import Role
from participation.proposals import services as proposals
from participation.proposals.domain import ProposalForm, ProposalState
from participation.residents import services as residents
from participation.settings import Settings
from tests.budgets.factories import PERSON, budget_in_voting, open_and_count, verified
from tests.conftest import TEST_PASSWORD, create_user
from tests.participation.proposal_factories import make_territory

POSTCODE = "44000"
# identifier, birth date: residents the journeys verify, then voters of the published budget
RESIDENTS = [("VB-101", "1984-03-21"), ("VB-102", "1990-12-01"), ("VB-103", "1979-07-14")]
VOTERS = [("VB-201", "1970-01-02"), ("VB-202", "1971-02-03"), ("VB-203", "1972-03-04")]
PASSWORD = TEST_PASSWORD


def census_csv() -> bytes:
    lines = ["identifiant;date_naissance;code_postal;quartier"]
    lines += [f"{i};{born};{POSTCODE};" for i, born in RESIDENTS + VOTERS]
    return ("\n".join(lines) + "\n").encode()


async def census(settings: Settings) -> None:
    await residents.import_census(settings, census_csv())


async def published_budget(settings: Settings) -> int:
    """ "Budget participatif 2025": three ballots for the garden, two for the cycle lane,
    opened with the trustee's share, counted and published."""
    budget, projects = await budget_in_voting(BallotKind.APPROVAL)
    await budgets.save_budget(
        budgets.BudgetForm(
            title="Budget participatif 2025",
            description="Les projets choisis l'an dernier",
            total_amount=budget.total_amount,
            districts={"Nord": 30_000},
            categories=("Nature", "Sport"),
        ),
        budget.id,
    )
    garden, lane = projects[0].title, projects[1].title
    for number, person in enumerate(VOTERS):
        await vote(settings, budget.id, person, [garden, lane] if number < 2 else [garden])
    await open_and_count(budget.id)  # the trustees open the ballots; the count runs
    await budgets.switch_phase(budget.id, Phase.RESULTS, by_user=None)
    return budget.id


async def open_consultation(
    title: str = "Avenir de la place du Marché", closes_in: timedelta = timedelta(days=7)
) -> int:
    consultation_id = await consultations.save_consultation(
        consultations.ConsultationForm(
            title=title,
            context="La place sera rénovée en 2027.",
            closes_at=timezone.now() + closes_in,
        )
    )
    questions = [
        consultations.QuestionForm(
            QuestionKind.SINGLE, "Faut-il piétonniser la place ?", options=("Oui", "Non")
        ),
        consultations.QuestionForm(QuestionKind.SCALE, "La place est agréable aujourd'hui"),
        consultations.QuestionForm(
            QuestionKind.SHORT_TEXT, "Une idée pour la place", required=False
        ),
    ]
    for question in questions:
        await consultations.save_question(consultation_id, question)
    await consultations.switch_phase(consultation_id, ConsultationPhase.OPEN, None)
    return consultation_id


async def town_voting(settings: Settings) -> dict[str, Any]:
    """What a resident takes part in: the census, a knapsack budget in its vote (`budget`, its
    `projects`: ids by title) and an open consultation (`consultation`)."""
    await census(settings)
    budget, projects = await budget_in_voting(BallotKind.KNAPSACK)
    return {
        "budget": budget.id,
        "projects": {p.title: p.id for p in projects},
        "consultation": await open_consultation(),
    }


async def voter_at_budget(
    settings: Settings, email: str, person: dict[str, str] = PERSON
) -> tuple[Budget, list[Project]]:
    """A knapsack budget in its vote, and the resident `email` verified as `person` (a Nord
    resident of the factory's census unless said otherwise), who may vote in it."""
    budget, projects = await budget_in_voting(BallotKind.KNAPSACK)
    await verified(settings, await create_user(settings, email, Role.CITIZEN), person)
    return budget, projects


async def someone(settings: Settings, email: str, role: Role = Role.CITIZEN, name: str = "") -> Any:
    return await create_user(settings, email, role, display_name=name or email.split("@")[0])


async def published_proposal(
    settings: Settings,
    author: Any,
    title: str,
    body: str = "<p>Installer vingt arceaux à vélo devant l'école Jules-Ferry.</p>",
) -> int:
    category, district = await make_territory()
    form = ProposalForm(title=title, body=body, category_id=category.id, district_id=district.id)
    proposal = await proposals.create(proposals.Draft(form), author)
    await proposals.change_state(settings, proposal, ProposalState.PUBLISHED, author)
    return proposal.id


async def budget_in_review(title: str) -> int:
    """A city-wide budget of 100,000 € whose two projects are reviewed feasible, not yet open
    for the vote."""
    budget = await budgets.save_budget(
        budgets.BudgetForm(
            title=title, description="Vos idées pour la ville", total_amount=100_000
        )
    )
    for project_title, cost in [("Jardin partagé", 40_000), ("Piste cyclable", 30_000)]:
        project = await project_services.submit_project(
            budget.id,
            project_services.ProjectForm(project_title, "<p>Détails du projet</p>", str(cost)),
            None,
            by_staff=True,
        )
        await project_services.review_project(project.id, Feasibility.FEASIBLE, "", None)
    await budgets.switch_phase(budget.id, Phase.REVIEW, by_user=None)
    return budget.id


async def vote(
    settings: Settings, budget_id: int, person: tuple[str, str], titles: list[str]
) -> None:
    """A resident's web ballot, as the ballot page records it."""
    entry, birth = await residents.find_census_entry(settings, person[0], person[1], POSTCODE)
    chosen = await Project.filter(budget_id=budget_id, title__in=titles)
    await ballot_services.cast_ballot(
        settings, budget_id, entry, budgets.domain.Voter(True, birth), {p.id: 1 for p in chosen}
    )


async def answered_consultation(settings: Settings, title: str, participant: Any) -> int:
    consultation_id = await open_consultation(title)
    questions = await Question.filter(consultation_id=consultation_id).order_by("position")
    yes = await Option.get(question=questions[0], label="Oui")
    await consultations.submit_response(
        settings,
        consultation_id,
        participant,
        None,
        [(f"q{questions[0].id}", str(yes.id)), (f"q{questions[1].id}", "4")],
    )
    return consultation_id


# What breaks a phone's layout: a 200-character word (an address pasted whole, a key held down)
# and a long district name. Every page showing them must wrap them, never scroll sideways.
LONG_WORD = ("Anticonstitutionnellement" * 8)[:200]
LONG_DISTRICT = "Hauts-de-Saint-Barthélemy–Colline-des-Jardins-Ouvriers–Faubourg-Sainte-Marguerite"


async def long_content(
    settings: Settings, author: Any, neighbour: Any, budget_id: int
) -> dict[str, int]:
    """A published proposal of `author` in a long-named district whose title, body and comment
    hold a 200-character word, the comment reported by `neighbour` (so it waits in the
    moderation queue), and a project with such a word in the budget `budget_id`."""
    from moderation import services as moderation
    from participation.residents.models import District
    from participation.territory import Category
    from tests.moderation.helpers import make_comment
    from tests.participation.proposal_factories import make_proposal

    district = await District.create(name=LONG_DISTRICT, slug="hauts-de-saint-barthelemy")
    category = await Category.create(name="Propreté, " + LONG_WORD[:60], slug="proprete")
    proposal = await make_proposal(
        author,
        title="Idée " + LONG_WORD[:140],
        body=f'<p>Un mot très long : {LONG_WORD}</p><p><a href="https://example.org/{LONG_WORD}">'
        f"https://example.org/{LONG_WORD}</a></p>",
        district_id=district.id,
        category_id=category.id,
    )
    comment = await make_comment(proposal, author, body=f"<p>Et encore : {LONG_WORD}</p>")
    await moderation.report(settings, neighbour, "comment", comment.id, "spam", LONG_WORD)
    envelope = await BudgetDistrict.create(budget_id=budget_id, name=LONG_DISTRICT, amount=10_000)
    project = await Project.create(
        budget_id=budget_id,
        title=LONG_WORD,
        description=f"<p>{LONG_WORD}</p>",
        cost=1_000,
        district=envelope,
        feasibility=Feasibility.FEASIBLE,
    )
    return {"proposal": proposal.id, "comment": comment.id, "project": project.id}
