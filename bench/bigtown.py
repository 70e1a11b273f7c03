"""A big town's data (issue #23) on PostgreSQL, and what its pages and jobs cost at that scale.

Creates (or recreates) the database `bench_bigtown`, migrates it (`participation migrate`) and
seeds it, the large tables with COPY:
- 200,000 registered residents (each verified against a census entry) and one administrator;
- 20,000 proposals (French titles and bodies, 8 categories, 6 districts, 3 participatory spaces
  with a collection each), 2,000,000 supports, 500,000 comments (5,000 on proposal 1, with
  replies), 10,000 reported comments waiting in the moderation queue;
- a budget in voting with 300 projects and 150,000 ballots, sealed by bench/ballots.py's
  `seal_ballots` (the application's `urn.seal`), and their 150,000 voter-register rows;
- 50 consultations of 6 questions with `--answers` (40,000) anonymous answers each, sealed as
  `consultations.services.submit_response` seals them (`participation.sealing`, the keyed
  response token), with their participant rows;
- bench/ballots.py's own budget and `--voters` verified voters with open sessions.
Then, one web process (`participation serve`, development settings, page cache off), one
connection, p50/p99: the proposals list with each filter, search, sort and deep pages, the
proposal with 5,000 comments, the moderation queue (10,000 items) signed in as the
administrator; the open-data CSV export of every public proposal (is it streamed, the web
process's peak memory); the indicators job; the trustees' count of the 150,000 ballots; ballot
POSTs at `--concurrency` voters (bench/ballots.py's client, `--workers` production processes).

    .venv/bin/python bench/bigtown.py [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
        [--name bench_bigtown] [--skip-seed] [--drop] [--answers 40000] [--requests 300]
        [--voters 8000] [--concurrency 50] [--workers 2] [--redis redis://127.0.0.1:6379/7]

`--skip-seed` reuses the database of an earlier run (the trustees' shares and the voters'
sessions are kept in its data folder, data/bench/<name>/); `--drop` drops it at the end. The
trustees' count opens the ballots once: a later run with `--skip-seed` times the count of the
stored ballots only (`tallying.tally_and_store`).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import importlib.util
import io
import json
import os
import random
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

# the repository first (bench/consultations.py and bench/signalements.py are named like its
# packages), bench/ last, for its helpers
ROOT_PATH, BENCH_PATH = str(Path(__file__).resolve().parents[1]), str(Path(__file__).parent)
sys.path[0] = ROOT_PATH
sys.path.append(BENCH_PATH)

import ballots  # noqa: E402
from _common import (  # noqa: E402
    ROOT,
    migrated_database,
    served,
    server_env,
    server_on_free_port,
    service_options,
)
from proposals import measure  # noqa: E402

# bench/proposals.py put bench/ first again
sys.path = [ROOT_PATH, *(p for p in sys.path if p not in (ROOT_PATH, BENCH_PATH)), BENCH_PATH]

RESIDENTS, PROPOSALS, COMMENTS, SUPPORTS = 200_000, 20_000, 500_000, 2_000_000
BIG_THREAD, QUEUE = 5_000, 10_000  # comments on proposal 1; open moderation cases
PROJECTS, BALLOTS, CONSULTATIONS, ANSWERS = 300, 150_000, 50, 40_000
PASSWORD = "Banc-d-essai-grande-ville-2026"
ADMIN_EMAIL = "mairie@bigtown.invalid"

CATEGORIES = [
    ("Mobilité", "mobilite"),
    ("Environnement", "environnement"),
    ("Vie de quartier", "vie-de-quartier"),
    ("Jeunesse et sport", "jeunesse-sport"),
    ("Culture", "culture"),
    ("Solidarité", "solidarite"),
    ("Éducation", "education"),
    ("Propreté", "proprete"),
]
DISTRICTS = [
    ("Centre-ville", "centre-ville"),
    ("Les Rives", "les-rives"),
    ("Saint-Martin", "saint-martin"),
    ("Le Plateau", "le-plateau"),
    ("La Gare", "la-gare"),
    ("Les Vignes", "les-vignes"),
]
SPACES = [
    ("Réinventons les bords de Loire", "bords-de-loire"),
    ("Un quartier de la gare apaisé", "quartier-gare"),
    ("Les cours d'école oasis", "cours-oasis"),
]
STATES = ["published"] * 10 + ["threshold_reached", "under_analysis", "accepted", "refused", "done"]
ACTIONS = [
    "Installer",
    "Créer",
    "Rénover",
    "Végétaliser",
    "Sécuriser",
    "Aménager",
    "Éclairer",
    "Agrandir",
    "Ouvrir",
    "Réparer",
]
THINGS = [
    "des arceaux à vélo",
    "une piste cyclable",
    "un jardin partagé",
    "des bancs",
    "une aire de jeux",
    "un composteur collectif",
    "des toilettes publiques",
    "une fontaine à eau",
    "un terrain de basket",
    "des passages piétons",
    "une boîte à livres",
    "des arbres fruitiers",
    "un marché de producteurs",
    "une piscine d'été",
    "un skatepark",
    "des poubelles de tri",
]
PLACES = [
    "devant l'école Jules-Ferry",
    "au square des Tilleuls",
    "rue de la République",
    "sur les quais de Loire",
    "près de la médiathèque",
    "place du Marché",
    "au parc de la Gaudinière",
    "avenue Jean-Jaurès",
    "derrière la gare",
    "au collège Victor-Hugo",
    "boulevard des Poilus",
    "dans le quartier Saint-Martin",
]
SENTENCES = [
    "Le matin, les parents et les enfants n'ont aucun endroit sûr où s'arrêter.",
    "Beaucoup d'habitants des immeubles n'ont pas de jardin et le demandent depuis longtemps.",
    "Les personnes âgées du quartier aimeraient pouvoir se reposer à l'ombre.",
    "Cet aménagement profiterait aussi aux associations et aux commerçants voisins.",
    "La circulation y est dangereuse aux heures de pointe, surtout pour les cyclistes.",
    "Un tel projet coûte peu et se réalise en quelques semaines.",
    "Les jeunes manquent de lieux pour se retrouver le soir et le week-end.",
    "L'été, la chaleur y devient insupportable faute d'arbres.",
    "Plusieurs villes voisines l'ont déjà fait avec succès.",
    "Le conseil de quartier a soutenu cette idée lors de sa dernière réunion.",
]
REMARKS = [
    "Très bonne idée, je soutiens !",
    "Je ne suis pas convaincu : le coût d'entretien risque d'être élevé.",
    "Il faudrait aussi penser aux personnes à mobilité réduite.",
    "Enfin ! On en parle depuis des années dans le quartier.",
    "Pourquoi pas, mais l'emplacement me semble mal choisi.",
    "Les enfants de l'école en seraient ravis.",
    "Attention au bruit pour les riverains le soir.",
    "On pourrait associer les commerçants au financement.",
]


def data_dir_of(name: str) -> Path:
    return ROOT / "data" / "bench" / name


def bench_module(name: str) -> Any:
    """bench/<name>.py, whose name is also a package's (consultations, signalements): loaded
    by its path; it puts the repository first on sys.path, bench/ is put back after."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    first = sys.path[0]
    spec.loader.exec_module(module)
    sys.path[0] = first
    return module


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def proposal_text(rng: random.Random, n: int) -> tuple[str, str]:
    title = f"{rng.choice(ACTIONS)} {rng.choice(THINGS)} {rng.choice(PLACES)}"
    paragraphs = [" ".join(rng.sample(SENTENCES, 2)) for _ in range(rng.randint(1, 3))]
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return title[:150], body


async def _copy(db: asyncpg.Connection, table: str, columns: list[str], records: Any) -> None:
    await db.copy_records_to_table(table, columns=columns, records=records)


async def seed_people(db: asyncpg.Connection, settings: Any, now: datetime) -> None:
    """Residents 1..RESIDENTS, each verified against census entry of the same id; the
    administrator after them (a real password hash: the bench signs in)."""
    from participation.accounts.services import hash_password

    await _copy(
        db,
        "accounts_user",
        ["id", "email", "display_name", "password_hash", "role", "created_at"]
        + ["email_confirmed_at", "language", "terms_version", "terms_accepted_at"],
        (
            (i, f"habitant{i}@bigtown.invalid", f"Habitant {i}", "x", "citizen", now, now)
            + ("fr", 1, now)
            for i in range(1, RESIDENTS + 1)
        ),
    )
    await db.execute(
        "INSERT INTO accounts_user (id, email, display_name, password_hash, role, created_at,"
        " email_confirmed_at, language, terms_version, terms_accepted_at)"
        " VALUES ($1, $2, 'Mairie', $3, 'admin', $4, $4, 'fr', 1, $4)",
        RESIDENTS + 1,
        ADMIN_EMAIL,
        await hash_password(settings, PASSWORD),
        now,
    )
    from budgets.demo import DISTRICTS as BUDGET_DISTRICTS  # the budgets' districts

    districts = list(BUDGET_DISTRICTS)
    await _copy(
        db,
        "budgets_census_entry",
        ["id", "lookup_hash", "district", "birth_year", "imported_at"],
        ((i, f"b{i:063x}", districts[i % 4], 1940 + i % 66, now) for i in range(1, RESIDENTS + 1)),
    )
    await _copy(
        db,
        "budgets_residency",
        ["id", "user_id", "census_entry_id", "birth_date", "verified_at"],
        ((i, i, i, date(1940 + i % 66, 1, 1), now) for i in range(1, RESIDENTS + 1)),
    )


async def seed_proposals(db: asyncpg.Connection, now: datetime) -> None:
    from participation.proposals.models import ProposalCollection
    from participation.residents.models import District
    from participation.richtext import ALLOW_LIST_VERSION, normalize_for_search, to_text
    from participation.spaces.models import Space
    from participation.territory import Category

    for name, slug in CATEGORIES:
        await Category.create(name=name, slug=slug)
    for name, slug in DISTRICTS:
        await District.create(name=name, slug=slug)
    collections = []
    for title, slug in SPACES:
        space = await Space.create(
            title=title, slug=slug, starts_at=now - timedelta(days=90), published=True
        )
        collection = await ProposalCollection.create(
            space=space, title="Boîte à idées", support_threshold=500
        )
        collections.append(collection.id)
    rng = random.Random(23)
    records = []
    for i in range(1, PROPOSALS + 1):
        title, body = proposal_text(rng, i)
        state = rng.choice(STATES)
        published = now - timedelta(minutes=(PROPOSALS - i) * 7)  # newest last: ids in order
        answered = (
            published + timedelta(days=20) if state in ("accepted", "refused", "done") else None
        )
        records.append(
            (
                i,
                1 + (i * 37) % RESIDENTS,
                collections[i % len(collections)] if i % 4 == 0 else None,
                title,
                body,
                1 + i % len(CATEGORIES),
                1 + (i // 3) % len(DISTRICTS),
                state,
                "visible",
                1,
                0,
                0,
                normalize_for_search(f"{title} {to_text(body)}"),
                "<p>La ville a étudié cette proposition.</p>" if answered else "",
                answered,
                ALLOW_LIST_VERSION,
                "",
                published,
                published,
                published,
            )
        )
    await _copy(
        db,
        "proposals_proposal",
        ["id", "author_id", "collection_id", "title", "body", "category_id", "district_id"]
        + ["state", "moderation_state", "version", "support_count", "comment_count"]
        + ["search_text", "answer_body", "answered_at", "sanitized_with", "address"]
        + ["created_at", "published_at", "updated_at"],
        records,
    )

    # 2,000,000 distinct (proposal, resident) pairs: each resident supports 10 proposals,
    # k * 4,729 being distinct modulo 20,000 for k < 10; the popular ones more often
    def pairs() -> Any:
        for u in range(1, RESIDENTS + 1):
            base = (u * 7919) % PROPOSALS
            for k in range(SUPPORTS // RESIDENTS):
                yield (1 + (base + k * 4729) % PROPOSALS, u, now)

    await _copy(db, "proposals_support", ["proposal_id", "user_id", "created_at"], pairs())
    await db.execute(
        "UPDATE proposals_proposal p SET support_count = s.n FROM (SELECT proposal_id,"
        " COUNT(*) AS n FROM proposals_support GROUP BY proposal_id) s WHERE s.proposal_id = p.id"
    )


async def seed_comments(db: asyncpg.Connection, now: datetime) -> None:
    """500,000 comments: 5,000 on proposal 1 (one in four a reply, up to depth 2), the rest
    spread over the others; then 10,000 of them reported, waiting in the moderation queue."""
    from moderation.domain import ReportReason
    from participation.richtext import ALLOW_LIST_VERSION

    REASONS = [ReportReason.SPAM, ReportReason.OFFENSIVE, ReportReason.OFF_TOPIC]
    rng = random.Random(7)
    columns = ["id", "proposal_id", "target_kind", "target_id", "author_id", "parent_id"]
    columns += ["depth", "body", "sanitized_with", "stance", "moderation_state", "upvotes"]
    columns += ["downvotes", "created_at", "updated_at"]
    stances = ["neutral", "neutral", "for", "against"]

    records, depth_of = [], {}
    for i in range(1, COMMENTS + 1):
        proposal = 1 if i <= BIG_THREAD else 2 + rng.randrange(PROPOSALS - 1)
        parent, depth = None, 0
        if 10 < i <= BIG_THREAD and rng.random() < 0.25:  # a reply to a recent comment
            parent = rng.randrange(i - 10, i)
            depth = depth_of[parent] + 1
            if depth > 2:
                parent, depth = None, 0
        if i <= BIG_THREAD:
            depth_of[i] = depth
        created = now - timedelta(seconds=(COMMENTS - i) * 5)
        records.append(
            (i, proposal, "proposal", proposal, 1 + rng.randrange(RESIDENTS), parent, depth)
            + (f"<p>{rng.choice(REMARKS)} {rng.choice(SENTENCES)}</p>", ALLOW_LIST_VERSION)
            + (rng.choice(stances), "visible", rng.randrange(5), rng.randrange(2), created, created)
        )
    await _copy(db, "comments_comment", columns, records)
    del records
    await db.execute(
        "UPDATE proposals_proposal p SET comment_count = c.n FROM (SELECT target_id,"
        " COUNT(*) AS n FROM comments_comment GROUP BY target_id) c WHERE c.target_id = p.id"
    )
    cases, reports = [], []
    for n in range(1, QUEUE + 1):
        comment = BIG_THREAD + n * ((COMMENTS - BIG_THREAD) // QUEUE)  # over the other proposals
        opened = now - timedelta(minutes=QUEUE - n)
        cases.append((n, "comment", comment, "open", "reported", 1, opened))
        reporter = 1 + (n * 13) % RESIDENTS
        reason = REASONS[n % len(REASONS)]
        reports.append((n, "comment", comment, reason, "", opened, n, reporter))
    await _copy(
        db,
        "moderation_case",
        ["id", "content_type", "content_id", "status", "kind", "open_reports", "opened_at"],
        cases,
    )
    await _copy(
        db,
        "moderation_report",
        ["id", "content_type", "content_id", "reason", "text", "created_at", "case_id"]
        + ["reporter_id"],
        reports,
    )


async def seed_budget(db: asyncpg.Connection, name: str, now: datetime) -> int:
    """A budget in voting with 300 projects, its trustees' key (2 of 3 shares, kept in the
    bench's data folder) and 150,000 ballots sealed by bench/ballots.py, with their register
    rows (census entries 1..150,000, one in eight on paper)."""
    from tortoise import timezone

    from budgets import ballot_box, domain, services
    from budgets.demo import DISTRICTS as BUDGET_DISTRICTS
    from budgets.models import BallotKind, Budget, Feasibility, Phase, Project, WinnerRule

    form = services.BudgetForm(
        title="Budget participatif 2027",
        description="Trois cents projets pour la ville.",
        total_amount=12_000_000,
        districts=dict.fromkeys(BUDGET_DISTRICTS, 2_000_000),
        rule=domain.BallotRule(BallotKind.KNAPSACK),
        winner_rule=WinnerRule.EQUAL_SHARES,
    )
    budget = await services.save_budget(form)
    districts = {d.name: d for d in await budget.districts.all()}
    rng = random.Random(300)
    await Project.bulk_create(
        [
            Project(
                budget=budget,
                title=f"{rng.choice(ACTIONS)} {rng.choice(THINGS)} {rng.choice(PLACES)}"[:150],
                description=f"<p>{rng.choice(SENTENCES)}</p>",
                cost=rng.randrange(20, 400) * 1_000,
                district=districts[BUDGET_DISTRICTS[n % 5]] if n % 5 < 4 else None,
                feasibility=Feasibility.FEASIBLE,
            )
            for n in range(PROJECTS)
        ]
    )
    await Budget.filter(id=budget.id).update(voting_closes_at=timezone.now() + timedelta(days=7))
    shares = await ballot_box.generate_key(budget.id, [None, None, None], 2)
    ballots.TRUSTEE_SHARES[budget.id] = [share.text() for _, share in shares]
    (data_dir_of(name) / "shares.json").write_text(json.dumps(ballots.TRUSTEE_SHARES))
    await services.switch_phase(budget.id, Phase.VOTING, by_user=None)
    await ballots.seal_ballots(budget.id, BALLOTS)
    await _copy(
        db,
        "budgets_voter_register",
        ["budget_id", "census_entry_id", "channel", "voted_on"],
        (
            (budget.id, i, "paper" if i % 8 == 0 else "web", (now - timedelta(days=i % 21)).date())
            for i in range(1, BALLOTS + 1)
        ),
    )
    return budget.id


QUESTION_KINDS = ["single", "multiple", "ranking", "scale", "majority", "short-text"]


async def seed_consultations(db: asyncpg.Connection, settings: Any, answers: int) -> None:
    """50 anonymous consultations of 6 questions, `answers` residents answering each: the
    response sealed and its token keyed as `submit_response` makes them, the participant row."""
    from consultations import services
    from consultations.models import Option, Phase, QuestionKind
    from participation import sealing

    answers_for = bench_module("consultations").answers_for

    rng = random.Random(50)
    today = date.today()
    for number in range(1, CONSULTATIONS + 1):
        consultation_id = await services.save_consultation(
            services.ConsultationForm(f"Consultation {number} : l'avenir du quartier")
        )
        questions = []
        for n, kind in enumerate(QUESTION_KINDS, start=1):
            options = ("Oui", "Non", "Sans avis", "Autre") if kind != "majority" else ("A", "B")
            form = services.QuestionForm(QuestionKind(kind), f"Question {n}", options=options)
            question_id = await services.save_question(consultation_id, form)
            ids = [o.id for o in await Option.filter(question_id=question_id).order_by("position")]
            questions.append((question_id, kind, ids))
        await services.switch_phase(consultation_id, Phase.OPEN, None)
        key = sealing.public_key(settings.answers_key, consultation_id)
        people = rng.sample(range(1, RESIDENTS + 1), answers)
        responses = [
            (
                uuid.uuid4(),
                consultation_id,
                services.response_token(settings, consultation_id, f"user:{person}"),
                "",
                sealing.seal(key, answers_for(rng, questions).encode()),
                today - timedelta(days=person % 20),
            )
            for person in people
        ]
        await _copy(
            db,
            "consultations_response",
            ["id", "consultation_id", "token", "answers", "sealed", "submitted_on"],
            responses,
        )
        await _copy(
            db,
            "consultations_participant",
            ["consultation_id", "user_id", "answered_on"],
            [(consultation_id, person, today - timedelta(days=person % 20)) for person in people],
        )
        print(f"  consultation {number}: {answers:,} sealed answers ({load()})", flush=True)


async def fix_sequences(db: asyncpg.Connection) -> None:
    """The sequences of the tables seeded with explicit ids, moved past them."""
    for table in (
        "accounts_user",
        "budgets_census_entry",
        "budgets_residency",
        "proposals_proposal",
        "comments_comment",
        "moderation_case",
        "moderation_report",
    ):
        await db.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" (SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


async def seed(args: argparse.Namespace, url: str, settings: Any) -> None:
    from participation.db import close_database, init_database

    data_dir = data_dir_of(args.name)
    await migrated_database(args.admin_url, args.name, data_dir)
    db = await asyncpg.connect(url)
    await init_database(settings)
    now = datetime.now(UTC)
    try:
        steps = [
            ("residents", lambda: seed_people(db, settings, now)),
            ("proposals and supports", lambda: seed_proposals(db, now)),
            ("comments and moderation queue", lambda: seed_comments(db, now)),
            ("sequences", lambda: fix_sequences(db)),
            ("budget and sealed ballots", lambda: seed_budget(db, args.name, now)),
            ("consultations", lambda: seed_consultations(db, settings, args.answers)),
        ]
        for label, step in steps:
            started = time.perf_counter()
            await step()
            print(f"seeded {label} in {time.perf_counter() - started:.0f} s ({load()})", flush=True)
        started = time.perf_counter()
        budget_id, sessions, _context = await ballots.seed(settings, args.voters)
        (data_dir / "voters.json").write_text(
            json.dumps({"budget": budget_id, "sessions": sessions})
        )
        (data_dir / "shares.json").write_text(json.dumps(ballots.TRUSTEE_SHARES))
        print(
            f"seeded bench/ballots.py's budget and {args.voters:,} voters in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        started = time.perf_counter()
        await db.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE in {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        await db.close()
        await close_database()


async def admin_cookies(base: str) -> httpx.Cookies:
    """The administrator signed in through the login form."""
    bench_signalements = bench_module("signalements")
    return await bench_signalements.staff_cookies(base, ADMIN_EMAIL, PASSWORD)


async def queue_total(url: str) -> int:
    db = await asyncpg.connect(url)
    try:
        return int(await db.fetchval("SELECT COUNT(*) FROM moderation_case WHERE status = 'open'"))
    finally:
        await db.close()


def measure_pages(url: str, data_dir: Path, redis: str, requests: int) -> None:
    rng = random.Random(1)
    words = ["velo", "jardin partage", "arbres fruitiers", "ecole", "piscine", "eclairage parc"]
    with served(url, data_dir, "/healthz", RATE_LIMITS="off", REDIS_URL=redis) as base:
        cookies = asyncio.run(admin_cookies(base))
        anonymous: dict[str, tuple[list[str], int]] = {
            "list, newest": (["/proposals"], requests),
            "list, page 2 to 50": (
                [f"/proposals?page={rng.randint(2, 50)}" for _ in range(50)],
                requests,
            ),
            # an old address (`?page=N`: OFFSET on the proposals table alone since issue #23)
            "list, deep pages (up to 1,000)": (
                [f"/proposals?page={rng.randint(50, 1000)}" for _ in range(50)],
                requests,
            ),
            # the "next" links' addresses (keyset): the page after proposal `after`; code
            # without cursors reads the same page number by OFFSET
            "list, deep pages by cursor": (
                [
                    f"/proposals?page={n}&after={PROPOSALS - 20 * (n - 1)}"
                    for n in (rng.randint(50, 1000) for _ in range(50))
                ],
                requests,
            ),
            "list, most supported, deep pages by cursor": (
                [
                    f"/proposals?sort=supported&page={rng.randint(50, 900)}"
                    f"&after={rng.randint(80, 120)}.{rng.randint(1, PROPOSALS)}"
                    for _ in range(50)
                ],
                requests,
            ),
            "list, category": ([f"/proposals?category={s}" for _, s in CATEGORIES], requests),
            "list, district": ([f"/proposals?district={s}" for _, s in DISTRICTS], requests),
            "list, state accepted": (["/proposals?state=accepted"], requests),
            "list, answered": (["/proposals?answered=yes"], requests),
            "list, space": ([f"/proposals?space={s}" for _, s in SPACES], requests),
            "list, collection": (["/proposals?collection=2"], requests),
            "list, most supported": (["/proposals?sort=supported"], requests),
            "list, most commented": (["/proposals?sort=commented"], requests),
            "list, random order": (["/proposals?sort=random"], requests),
            "list, search": ([f"/proposals?q={w.replace(' ', '+')}" for w in words], requests),
            "list, search + district + category": (
                ["/proposals?q=velo&district=les-rives&category=mobilite"],
                requests,
            ),
            "list, search, deep page": (["/proposals?q=jardin&page=40"], requests),
            "list, search, deep page by cursor": (
                [f"/proposals?q=jardin&page=40&after={PROPOSALS // 2}"],
                requests,
            ),
            "proposal, a few dozen comments": (
                [f"/proposals/{rng.randint(2, PROPOSALS)}" for _ in range(100)],
                requests,
            ),
            "proposal with 5,000 comments": (["/proposals/1"], max(10, requests // 20)),
            # its thread by pages since issue #23: a page further on, a comment's address
            "proposal with 5,000 comments, a later page": (
                [f"/proposals/1?comments_after={rng.randint(100, BIG_THREAD - 100)}"],
                max(10, requests // 20),
            ),
            "proposal with 5,000 comments, a comment's address": (
                [f"/proposals/1?comment={rng.randint(100, BIG_THREAD)}"],
                max(10, requests // 20),
            ),
        }
        signed_in = {
            "signed in: list, newest": (["/proposals"], requests),
            "signed in: list, search": (["/proposals?q=velo"], requests),
            "moderation queue (10,000 items)": (["/moderation"], requests),
            "moderation queue, page 300": (["/moderation?page=300"], requests),
            "moderation queue, comments reported as spam": (
                ["/moderation?type=comment&reason=spam"],
                requests,
            ),
        }
        print(f"\nqueue: {asyncio.run(queue_total(url)):,} open cases")
        print(
            "\n1 web process (development settings), page cache off, 1 connection; the web "
            "process's CPU per request (the warm-up request included) says what the load hides"
        )
        print(
            "| page | requests | p50 | p99 | req/s | web CPU per request |\n"
            "|---|---|---|---|---|---|"
        )
        pids = [p for p in processes_on(int(base.rsplit(":", 1)[1])) if p != os.getpid()]
        for name, (paths, count) in {**anonymous, **signed_in}.items():
            jar = cookies if name in signed_in else None
            cpu = sum(cpu_seconds(pid) for pid in pids)
            r = asyncio.run(measure(base, paths, count, 1, jar))
            cpu = 1000 * (sum(cpu_seconds(pid) for pid in pids) - cpu) / (count + 1)
            print(
                f"| {name} | {count} | {r['p50_ms']:.1f} ms | {r['p99_ms']:.1f} ms "
                f"| {r['req_s']:.0f} | {cpu:.1f} ms |",
                flush=True,
            )
        print(load())


def processes_on(port: int) -> list[int]:
    """The processes whose environment says PORT=`port`: the web server and its workers."""
    needle = f"PORT={port}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process, from /proc (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def measure_export(url: str, data_dir: Path, redis: str, path: str, runs: int = 3) -> None:
    """An export of every public proposal (`path`), in a web process of its own: streamed or
    not (the Content-Length header, the first byte), its time, and the process's peak memory
    (VmHWM) against its resident memory before."""
    with served(url, data_dir, "/healthz", RATE_LIMITS="off", REDIS_URL=redis) as base:
        port = int(base.rsplit(":", 1)[1])
        pids = [p for p in processes_on(port) if p != os.getpid()]
        before = {pid: memory_kb(pid, "VmRSS") for pid in pids}
        cpu = sum(cpu_seconds(pid) for pid in pids)
        timings, first_bytes = [], []
        rows = size = 0
        headers: dict[str, str] = {}
        with httpx.Client(base_url=base, timeout=120) as client:
            for _ in range(runs):
                started = time.perf_counter()
                first = None
                chunks = []
                with client.stream("GET", path) as response:
                    assert response.status_code == 200, response.status_code
                    headers = dict(response.headers)
                    for chunk in response.iter_bytes():
                        if first is None:
                            first = time.perf_counter() - started
                        chunks.append(chunk)
                timings.append(time.perf_counter() - started)
                first_bytes.append(first or 0.0)
                body = b"".join(chunks)
                size = len(body)
                text = body.decode("utf-8-sig")
                if path.endswith(".json"):
                    rows = len(json.loads(text)["proposals"])
                else:
                    rows = len(list(csv.reader(io.StringIO(text)))) - 1
        peak = {pid: memory_kb(pid, "VmHWM") for pid in pids}
        cpu = (sum(cpu_seconds(pid) for pid in pids) - cpu) / runs
    timings.sort()
    streamed = "content-length" not in headers
    print(
        f"\nexport {path}: {rows:,} proposals, {size / 1e6:.1f} MB, median "
        f"{1000 * timings[len(timings) // 2]:.0f} ms, first byte after "
        f"{1000 * sorted(first_bytes)[len(first_bytes) // 2]:.0f} ms, web CPU {cpu:.1f} s "
        f"({runs} runs); "
        f"{'streamed (no Content-Length)' if streamed else 'not streamed (Content-Length set)'}"
    )
    for pid in pids:
        print(
            f"  web process {pid}: resident {before[pid] / 1024:.0f} MB before, peak "
            f"{peak[pid] / 1024:.0f} MB (VmHWM, {peak[pid] - before[pid]:+,} kB)"
        )


async def jobs_and_tally(settings: Any, name: str) -> None:
    from budgets import tallying
    from budgets.models import Budget
    from indicators import jobs
    from participation.db import close_database, init_database

    await init_database(settings)
    try:
        for run in (1, 2):
            started, cpu = time.perf_counter(), time.process_time()
            stored = await jobs.compute_indicators({})
            print(
                f"indicators job, run {run}: {time.perf_counter() - started:.2f} s (CPU of this "
                f"process {time.process_time() - cpu:.2f} s; {stored} processes; {load()})",
                flush=True,
            )
        shares = json.loads((data_dir_of(name) / "shares.json").read_text())
        ballots.TRUSTEE_SHARES.update({int(k): v for k, v in shares.items()})
        budget = await Budget.filter(title="Budget participatif 2027").first()
        assert budget is not None
        if budget.ballots_opened_at is None:
            figures = await ballots.bench_tally(budget.id, BALLOTS)
            print(
                f"trustees' count: {figures['ballots']:,.0f} sealed ballots opened, stored "
                f"anonymised and counted (both rules, every envelope) in {figures['seconds']:.2f} s"
                f" (CPU {figures['cpu_seconds']:.2f} s); outcome "
                f"{'the same as the clear count' if figures['same'] else 'DIFFERENT'} ({load()})"
            )
        # the count itself, as tally_and_store runs it (which stores nothing new once counted)
        started = time.perf_counter()
        official = await tallying.official_outcome(budget)
        data = await tallying.load_input(budget, official)
        print(
            f"count: {len(data.ballots):,} stored ballots read in "
            f"{time.perf_counter() - started:.2f} s",
            flush=True,
        )
        for rule, options in tallying.rules_to_compute(budget, official):
            started, cpu = time.perf_counter(), time.process_time()
            tallying.compute_outcome(data, rule, options)
            print(
                f"  {rule}, {PROJECTS} projects: {time.perf_counter() - started:.2f} s "
                f"(CPU {time.process_time() - cpu:.2f} s; {load()})",
                flush=True,
            )
    finally:
        await close_database()


def ballot_posts(args: argparse.Namespace, url: str) -> None:
    """bench/ballots.py's rounds (first ballots, then changed) at `--concurrency` voters,
    against `--workers` production processes, the big town loaded."""
    from budgets import ballot_services
    from budgets.models import Budget
    from participation.db import close_database, init_database
    from participation.settings import Settings

    voters = json.loads((data_dir_of(args.name) / "voters.json").read_text())
    budget_id, sessions = voters["budget"], voters["sessions"]
    args.database = url
    port, env = server_on_free_port(
        args, str(data_dir_of(args.name)), WEB_CONCURRENCY=str(args.workers)
    )

    async def context() -> dict[str, Any]:
        await init_database(Settings.from_env(env))
        try:
            found = await ballot_services.ballot_context(await Budget.get(id=budget_id))
            return {"projects": found.projects, "envelopes": found.envelopes}
        finally:
            await close_database()

    ballot_context = asyncio.run(context())
    server = subprocess.Popen(
        [sys.executable, "-m", "participation.cli", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        ballots.wait_until_up(f"http://127.0.0.1:{port}", server)
        warm = ballots.ballot_requests(port, budget_id, sessions[:200], ballot_context, seed=0)
        ballots.cast_round(port, warm, ballots.Round("warm-up", 10))
        print(
            f"\nballot POSTs, {args.workers} web processes (production settings), "
            f"{len(sessions):,} voters, each once per round"
        )
        for number in (1, 2):
            requests = ballots.ballot_requests(port, budget_id, sessions, ballot_context, number)
            figures = ballots.cast_round(port, requests, ballots.Round("", args.concurrency))
            errors = ballots.rejected(figures, f"/budgets/{budget_id}/ballot")
            print(
                f"  round {number}: {len(requests)} ballots at {args.concurrency} voters, "
                f"{figures.per_second:.0f} ballots/s, p50 {figures.p50_ms:.1f} ms, "
                f"p99 {figures.percentile_ms(0.99):.1f} ms, errors {errors} ({load()})",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=20)


def scaled(scale: float) -> None:
    """Every count times `scale` (the proposals' count kept prime to 4,729, see
    `seed_proposals`)."""
    global RESIDENTS, PROPOSALS, COMMENTS, SUPPORTS, BIG_THREAD, QUEUE, BALLOTS
    RESIDENTS, COMMENTS = int(RESIDENTS * scale), int(COMMENTS * scale)
    PROPOSALS = int(PROPOSALS * scale) | 1
    while PROPOSALS % 5 == 0:
        PROPOSALS += 2
    SUPPORTS, BIG_THREAD = RESIDENTS * 10, int(BIG_THREAD * scale)
    QUEUE, BALLOTS = int(QUEUE * scale), int(BALLOTS * scale)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--name", default="bench_bigtown", help="the database (recreated)")
    parser.add_argument("--skip-seed", action="store_true", help="reuse an earlier run's")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--seed-only", action="store_true", help="seed, measure nothing")
    parser.add_argument("--answers", type=int, default=ANSWERS, help="per consultation")
    parser.add_argument("--requests", type=int, default=300, help="per page")
    parser.add_argument("--voters", type=int, default=8000)
    parser.add_argument("--concurrency", type=int, default=50, help="voters at once")
    parser.add_argument("--workers", type=int, default=2, help="web processes for the ballots")
    parser.add_argument(
        "--only", default="", help="comma-separated: pages,export,jobs,ballots (default: all)"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="a smaller town to try the script (0.02)"
    )
    service_options(parser, "bench_bigtown", redis_db=7, variables="BIGTOWN")
    args = parser.parse_args()
    if args.scale != 1.0:
        scaled(args.scale)
    if not args.name.replace("_", "").isalnum():
        raise SystemExit(f"--name: letters, digits and _ only, not {args.name!r}")
    from participation.settings import Settings

    url = args.admin_url.rsplit("/", 1)[0] + "/" + args.name
    data_dir = data_dir_of(args.name)
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings.from_env(server_env(str(data_dir), url, args.redis, 8000))
    print(f"{load()}; {os.cpu_count()} cores shared with other work", flush=True)
    if not args.skip_seed:
        started = time.perf_counter()
        asyncio.run(seed(args, url, settings))
        print(f"seeded in {time.perf_counter() - started:.0f} s ({load()})", flush=True)
    only = set(filter(None, args.only.split(","))) or {"pages", "export", "jobs", "ballots"}
    if args.seed_only:
        only = set()
    try:
        if "pages" in only:
            measure_pages(url, data_dir, args.redis, args.requests)
        if "export" in only:
            measure_export(url, data_dir, args.redis, "/proposals.csv")
            # as the CSV was before issue #23: every proposal read, then the whole file built
            measure_export(url, data_dir, args.redis, "/proposals.json")
        if "jobs" in only:
            asyncio.run(jobs_and_tally(settings, args.name))
        if "ballots" in only:
            ballot_posts(args, url)
    finally:
        if args.drop:
            asyncio.run(drop(args.admin_url, args.name))
    return 0


async def drop(admin_url: str, name: str) -> None:
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


if __name__ == "__main__":
    sys.exit(main())
