"""Demo budgets of Villebelle-sur-Loire, built through the services like a real city would.

- a census of 600 fictional residents (identifiers VB-0001 to VB-0600, printed by the demo);
- "Budget participatif 2026": voting open, knapsack ballots, Method of Equal Shares, 30 projects;
- "Budget participatif 2025": closed, 480 ballots (some on paper), tallied and published;
- "Budget des écoles 2027": feasibility review, five projects of residents waiting for the
  evaluator of the budget space (the demo account `evaluation@demo.villebelle.fr`, issue #18).

Seeded once: a budget is created (with its ballots, spread over its voting weeks) only when the
demo's own is missing, the census is imported only when the demo's rows are missing, and
nothing else is touched, so people's ballots, the register and the audit log stay as they are
however often the demo runs. Deterministic: a fixed random seed.

In 2025 a majority of voters wanted three big projects and a minority many small ones: voting
by most votes first (greedy) funds the big ones only, the Method of Equal Shares gives the
minority its share of the budget. The results page compares the two rules; the demo shows why.
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta

from tortoise import timezone

from budgets import ballot_box, ballot_services, domain, services
from budgets.models import (
    BallotKind,
    Budget,
    Channel,
    Feasibility,
    Phase,
    Project,
    VoterRegister,
    WinnerRule,
)
from participation.accounts.models import Role, User
from participation.pictures import demo as pictures
from participation.residents import services as residents
from participation.residents.census import census_key, read_census
from participation.residents.models import CensusEntry, Residency
from participation.richtext import ALLOW_LIST_VERSION, sanitize
from participation.settings import Settings
from participation.spaces import demo as spaces_demo
from participation.territory import Box, demo_spot, town_box

POSTCODE = "44100"
DISTRICTS = ("Centre-ville", "Les Rives", "Saint-Martin", "Le Plateau")
CENSUS_SIZE = 600

# title, cost, district (None: city-wide), category
PROJECTS_2026 = [
    ("Une forêt urbaine sur le parking du marché", 120_000, None, "Nature"),
    ("Des pistes cyclables protégées vers le lycée", 150_000, None, "Mobilité"),
    ("Rénover la piscine municipale", 180_000, None, "Sport"),
    ("Des toilettes publiques accessibles", 60_000, None, "Cadre de vie"),
    ("Un festival de musique gratuit en juin", 35_000, None, "Culture"),
    ("Des fontaines à eau dans les parcs", 24_000, None, "Cadre de vie"),
    ("Une ressourcerie pour réparer et revendre", 80_000, None, "Nature"),
    ("Éclairage solaire des chemins de halage", 90_000, None, "Mobilité"),
    ("Une salle d'escalade dans l'ancien gymnase", 140_000, None, "Sport"),
    ("Des bancs et de l'ombre le long de la Loire", 45_000, None, "Cadre de vie"),
    ("Un jardin pédagogique pour les écoles", 30_000, None, "Nature"),
    ("Des abris à vélos sécurisés à la gare", 55_000, None, "Mobilité"),
    ("Une boîte à livres par quartier", 8_000, None, "Culture"),
    ("Un terrain de basket 3x3", 40_000, None, "Sport"),
    ("Des ruches sur le toit de la mairie", 12_000, None, "Nature"),
    ("Végétaliser la place du Marché", 38_000, "Centre-ville", "Nature"),
    ("Un parc à vélos devant la médiathèque", 9_000, "Centre-ville", "Mobilité"),
    ("Des jeux d'eau place Saint-Pierre", 27_000, "Centre-ville", "Cadre de vie"),
    ("Un ponton de pêche accessible", 32_000, "Les Rives", "Sport"),
    ("Un verger partagé au bord de l'eau", 14_000, "Les Rives", "Nature"),
    ("Rénover l'aire de jeux des Rives", 36_000, "Les Rives", "Cadre de vie"),
    ("Un city-stade à Saint-Martin", 45_000, "Saint-Martin", "Sport"),
    ("Des composteurs de quartier", 6_000, "Saint-Martin", "Nature"),
    ("Un local pour les associations", 30_000, "Saint-Martin", "Culture"),
    ("Une navette vers le marché le samedi", 20_000, "Le Plateau", "Mobilité"),
    ("Des tables de pique-nique au belvédère", 7_000, "Le Plateau", "Cadre de vie"),
    ("Un skatepark au Plateau", 48_000, "Le Plateau", "Sport"),
    ("Une fresque participative sur le château d'eau", 15_000, "Le Plateau", "Culture"),
    ("Planter 200 arbres rue de la Paix", 25_000, "Centre-ville", "Nature"),
    ("Un marché de producteurs le mercredi", 11_000, "Les Rives", "Cadre de vie"),
]
PROJECTS_2025 = [
    ("Rénover les vestiaires du stade", 110_000, None, "Sport"),
    ("Un parcours santé le long de la Loire", 60_000, None, "Sport"),
    ("Des voies vertes entre les quartiers", 140_000, None, "Mobilité"),
    ("Une micro-folie (musée numérique)", 90_000, None, "Culture"),
    ("Un potager collectif à la maison de retraite", 18_000, None, "Nature"),
    ("Des nichoirs et hôtels à insectes", 6_000, None, "Nature"),
    ("Une aire de covoiturage", 45_000, None, "Mobilité"),
    ("Un cinéma en plein air l'été", 22_000, None, "Culture"),
    ("Des bornes de réparation de vélos", 12_000, None, "Mobilité"),
    ("Une ludothèque itinérante", 28_000, None, "Culture"),
    ("Un kiosque à musique place du Marché", 30_000, "Centre-ville", "Culture"),
    ("Des bacs à fleurs rue Nationale", 8_000, "Centre-ville", "Nature"),
    ("Une passerelle vers l'île aux Oiseaux", 45_000, "Les Rives", "Mobilité"),
    ("Un terrain de pétanque éclairé", 10_000, "Saint-Martin", "Sport"),
    ("Un jardin des senteurs", 16_000, "Saint-Martin", "Nature"),
    ("Un abri pour le marché du Plateau", 35_000, "Le Plateau", "Cadre de vie"),
]


# 2025, city-wide: what the majority (3 voters in 5) and the minority chose
MAJORITY_2025 = (
    "Rénover les vestiaires du stade",
    "Des voies vertes entre les quartiers",
    "Une micro-folie (musée numérique)",
)
MINORITY_2025 = (
    "Un parcours santé le long de la Loire",
    "Un potager collectif à la maison de retraite",
    "Des nichoirs et hôtels à insectes",
    "Un cinéma en plein air l'été",
    "Des bornes de réparation de vélos",
    "Une ludothèque itinérante",
)


# the budget under review: what the demo's evaluator reviews (title, cost, district, category)
SCHOOLS_2027 = "Budget des écoles 2027"
PROJECTS_SCHOOLS = [
    ("Végétaliser la cour de l'école Jules-Ferry", 70_000, None, "Nature"),
    ("Des casiers pour les cartables au collège", 18_000, None, "Cadre de vie"),
    ("Un préau couvert à l'école des Rives", 95_000, "Les Rives", "Cadre de vie"),
    ("Une piste de draisiennes à la maternelle", 12_000, "Saint-Martin", "Sport"),
    ("Un atelier de robotique à la médiathèque", 9_000, None, "Culture"),
]


def census_csv() -> bytes:
    """600 fictional residents, spread over the four districts, born 1935 to 2010."""
    rng = random.Random(2026)
    lines = ["identifiant;date_naissance;code_postal;quartier"]
    for number in range(1, CENSUS_SIZE + 1):
        born = date(1935, 1, 1) + timedelta(days=rng.randrange(75 * 365))
        lines.append(f"VB-{number:04d};{born.isoformat()};{POSTCODE};{DISTRICTS[number % 4]}")
    return ("\n".join(lines) + "\n").encode()


def census_person(number: int) -> tuple[str, str]:
    """Identifier and birth date of census row `number` (1-based), as the demo generated it."""
    line = census_csv().decode().splitlines()[number]
    identifier, born, _postcode, _district = line.split(";")
    return identifier, born


# the places of the demo's projects (issue #20): most projects have one, on the town's map
PLACES = (
    "Parc des Rives, quai de la Loire",
    "École Jules-Ferry, rue Pasteur",
    "Place de la Mairie",
    "Square du Moulin, chemin du Moulin",
    "Avenue Jean-Jaurès",
    "Stade du Plateau, allée des Tilleuls",
    "Médiathèque, rue des Tilleuls",
)


# a few projects carry an image drawn by the demo (participation/pictures/demo.py): theme, text
# alternative; the others show their category's pattern
IMAGES = {
    "Une forêt urbaine sur le parking du marché": (
        "arbres",
        "Une rangée d'arbres le long d'un trottoir",
    ),
    "Des pistes cyclables protégées vers le lycée": (
        "velo",
        "Deux vélos garés à des arceaux bleus",
    ),
    "Des bancs et de l'ombre le long de la Loire": (
        "bancs",
        "Deux bancs à l'ombre des arbres sur un quai, face à la Loire",
    ),
    "Un terrain de basket 3x3": (
        "basket",
        "Un terrain de basket orange avec son panier et un ballon",
    ),
}


async def _create_budget(
    title: str,
    total: int,
    winner: WinnerRule,
    projects: list[tuple[str, int, str | None, str]],
    town: Box,
) -> tuple[Budget, list[Project]]:
    form = services.BudgetForm(
        title=title,
        description=(
            "Vous proposez, la ville étudie, vous votez : les projets retenus sont réalisés "
            "dans les deux ans. Chaque quartier dispose de son enveloppe."
        ),
        total_amount=total,
        districts=dict.fromkeys(DISTRICTS, total // 10),
        categories=tuple(sorted({p[3] for p in projects})),
        rule=domain.BallotRule(BallotKind.KNAPSACK, min_choices=1),
        winner_rule=winner,
    )
    budget = await services.save_budget(form)
    districts = {d.name: d for d in await budget.districts.all()}
    categories = {c.name: c for c in await budget.categories.all()}
    created = [
        await Project.create(
            budget=budget,
            image_id=await pictures.stored(*IMAGES[name]) if name in IMAGES else None,
            title=name,
            description=sanitize(
                f"{name}. Projet proposé par des habitants, chiffré par la ville."
            ),
            sanitized_with=ALLOW_LIST_VERSION,
            cost=cost,
            district=districts[district] if district else None,
            category=categories[category],
            feasibility=Feasibility.FEASIBLE,
            feasibility_reason="Réalisable : chiffrage validé par les services techniques.",
            # every fifth project has no place: the map lists what it cannot draw
            location=PLACES[n % len(PLACES)] if n % 5 != 4 else "",
            latitude=demo_spot(town, n + 20)[0] if n % 5 != 4 else None,
            longitude=demo_spot(town, n + 20)[1] if n % 5 != 4 else None,
        )
        for n, (name, cost, district, category) in enumerate(projects)
    ]
    return budget, created


def _demo_choices(
    rng: random.Random, context: ballot_services.BallotContext, district: str | None
) -> dict[int, int]:
    """A plausible knapsack ballot: popular projects more often, own district's projects."""
    spent: dict[str | None, int] = {}
    choices: dict[int, int] = {}
    candidates = [
        p for p in context.projects.values() if p.district is None or p.district == district
    ]
    # popularity grows with the project id's position, so some projects clearly lead
    rng.shuffle(candidates)
    candidates.sort(key=lambda p: rng.random() * (1 + (p.id % 5)))
    for project in candidates[: rng.randint(1, 6)]:
        envelope = project.district
        if spent.get(envelope, 0) + project.cost <= context.envelopes[envelope]:
            spent[envelope] = spent.get(envelope, 0) + project.cost
            choices[project.id] = 1
    return choices


def _bloc_choices(
    rng: random.Random,
    context: ballot_services.BallotContext,
    district: str | None,
    bloc: list[int],
) -> dict[int, int]:
    """Most of the projects of the voter's bloc city-wide, plus a plausible district choice."""
    choices = {project_id: 1 for project_id in bloc if rng.random() < 0.9} or {bloc[0]: 1}
    spent = sum(context.projects[p].cost for p in choices)
    assert spent <= context.envelopes[None], "a bloc must fit the city-wide envelope"
    local = [p for p in context.projects.values() if p.district == district and district]
    rng.shuffle(local)
    budget_left = context.envelopes.get(district, 0)
    for project in local[: rng.randint(0, 2)]:
        if project.cost <= budget_left:
            budget_left -= project.cost
            choices[project.id] = 1
    return choices


async def _cast_demo_ballots(
    settings: Settings, budget: Budget, voters: int, blocs: tuple[list[int], list[int]] | None
) -> None:
    """`blocs`: (majority, minority) city-wide project ids; None: plausible random ballots."""
    rng = random.Random(budget.title)
    context = await ballot_services.ballot_context(budget)
    entries = await CensusEntry.all().order_by("id").limit(voters + 20)
    for index, entry in enumerate(entries[20 : 20 + voters]):  # the first 20 stay for visitors
        if blocs is None:
            choices = _demo_choices(rng, context, entry.district)
        else:
            bloc = blocs[0] if index % 5 < 3 else blocs[1]
            choices = _bloc_choices(rng, context, entry.district, bloc)
        if not choices:
            continue
        voter = domain.Voter(True, date(1980, 1, 1), entry.district)
        channel = Channel.PAPER if index % 8 == 0 else Channel.WEB
        await ballot_services.cast_ballot(settings, budget.id, entry, voter, choices, channel)


async def _spread_votes(budget_id: int, days: int, ends_days_ago: int) -> None:
    """The demo's own ballots, just cast, spread over the voting days (a third in the first
    three, as in real campaigns): the turnout chart has a shape."""
    ids = (
        await VoterRegister.filter(budget_id=budget_id).order_by("id").values_list("id", flat=True)
    )
    end = timezone.now() - timedelta(days=ends_days_ago)
    by_day: dict[int, list[int]] = {}
    for index, register_id in enumerate(ids):
        day = (index * 7919) % days
        day = day if index % 3 else min(day, 2)
        by_day.setdefault(day, []).append(register_id)  # type: ignore[arg-type]
    for day, day_ids in by_day.items():
        await VoterRegister.filter(id__in=day_ids).update(
            voted_on=(end - timedelta(days=days - 1 - day)).date()
        )


async def _census(settings: Settings) -> None:
    """Import the demo census unless its rows are all there (an import is audited)."""
    rows = read_census(census_csv(), census_key(settings.secret_key))
    known = await CensusEntry.filter(lookup_hash__in=[r.lookup_hash for r in rows]).count()
    if known < len(rows):
        await residents.import_census(settings, census_csv())


def _ids(projects: list[Project], titles: tuple[str, ...]) -> list[int]:
    return [p.id for p in projects if p.title in titles]


async def load(settings: Settings, users: list[User]) -> None:
    await _census(settings)
    citizen = next(u for u in users if u.role == Role.CITIZEN)
    if not await Residency.filter(user=citizen).exists():
        identifier, born = census_person(1)
        await residents.verify_residency(settings, citizen, identifier, born, POSTCODE)

    if not await Budget.filter(title="Budget participatif 2025").exists():
        budget, projects = await _create_budget(
            "Budget participatif 2025",
            600_000,
            WinnerRule.EQUAL_SHARES,
            PROJECTS_2025,
            town_box(settings),
        )
        await Budget.filter(id=budget.id).update(voting_closes_at=timezone.now() + timedelta(1))
        # the key ceremony and the count, in memory: the share is used, then forgotten
        [(_, share)] = await ballot_box.generate_key(budget.id, [None], 1)
        await services.switch_phase(budget.id, Phase.VOTING, by_user=None)
        blocs = (_ids(projects, MAJORITY_2025), _ids(projects, MINORITY_2025))
        await _cast_demo_ballots(settings, await Budget.get(id=budget.id), 480, blocs)
        await _spread_votes(budget.id, days=30, ends_days_ago=270)
        await services.switch_phase(budget.id, Phase.TALLY, by_user=None)
        await ballot_box.open_ballots(budget.id, [share.text()])
        del share
        await services.switch_phase(budget.id, Phase.RESULTS, by_user=None)
        await Budget.filter(id=budget.id).update(
            voting_opens_at=timezone.now() - timedelta(days=300),
            voting_closes_at=timezone.now() - timedelta(days=270),
        )

    if not await Budget.filter(title="Budget participatif 2026").exists():
        budget, _ = await _create_budget(
            "Budget participatif 2026",
            800_000,
            WinnerRule.EQUAL_SHARES,
            PROJECTS_2026,
            town_box(settings),
        )
        await Budget.filter(id=budget.id).update(
            voting_opens_at=timezone.now() - timedelta(days=3),
            voting_closes_at=timezone.now() + timedelta(days=25),
        )
        # one trustee without an account; the share is printed once by `participation demo`
        # (a demo only: a real ceremony shows each trustee their share on their own screen)
        [(_, share)] = await ballot_box.generate_key(budget.id, [None], 1)
        print(
            f"Demo: key share of '{budget.title}' (shown once, needed to count it): {share.text()}",
            file=sys.stderr,
        )
        await services.switch_phase(budget.id, Phase.VOTING, by_user=None)
        await _cast_demo_ballots(settings, await Budget.get(id=budget.id), 120, None)
        await _spread_votes(budget.id, days=4, ends_days_ago=0)
    if not await Budget.filter(title=SCHOOLS_2027).exists():
        budget, _ = await _create_budget(
            SCHOOLS_2027, 200_000, WinnerRule.GREEDY, PROJECTS_SCHOOLS, town_box(settings)
        )
        # residents' projects, none reviewed yet: the demo's evaluator has them to review
        await Project.filter(budget=budget).update(
            feasibility=Feasibility.PENDING, feasibility_reason=""
        )
        await Budget.filter(id=budget.id).update(phase=Phase.REVIEW)
    # the current budget, and the one under review, belong to the demo's budget space
    # (participation/spaces/demo.py)
    await Budget.filter(title__in=["Budget participatif 2026", SCHOOLS_2027], space_id=None).update(
        space_id=await spaces_demo.space_id(spaces_demo.BUDGET)
    )
