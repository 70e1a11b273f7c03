"""The SQL statements one request of a signed-in resident runs, page by page (issue #23): at
most STATEMENTS_PER_PAGE, and the same number with one item as with fifty (no N+1)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from budgets.models import Feasibility, Project
from consultations.models import Option
from participation.accounts.models import User
from participation.comments.models import Comment, CommentVote
from participation.notifications.models import Notification
from participation.pagecache import invalidate
from participation.proposals.models import Support
from participation.settings import Settings
from tests.budgets.factories import budget_in_voting, verified, with_ids
from tests.conftest import count_queries, create_user, csrf_token, log_in
from tests.consultations.factories import consultation_open
from tests.participation.proposal_factories import make_proposal

STATEMENTS_PER_PAGE = 8


async def town(settings: Settings, citizen: User) -> dict[str, Any]:
    """A debated proposal, a budget in voting, an open consultation whose results are
    visible, `citizen` a verified resident; `grow` adds what they see."""
    others = [await create_user(settings, f"voisin{i}@example.org") for i in range(3)]
    budget, projects = await budget_in_voting()
    consultation, questions = await consultation_open(visible=True)
    await verified(settings, citizen)
    return {
        "others": others,
        "debated": await make_proposal(others[0], title="Un débat"),
        "budget": budget,
        "projects": projects,
        "consultation": consultation,
        "questions": questions,
        "comments": [],
        "volume": 0,
    }


async def grow(seeded: dict[str, Any], citizen: User, volume: int) -> None:
    """Up to `volume` proposals that `citizen` supports, comments (every other one a reply,
    by three authors) they voted on, notifications, budget projects, consultation options."""
    others, debated, comments = seeded["others"], seeded["debated"], seeded["comments"]
    added = range(seeded["volume"], volume)
    seeded["volume"] = volume
    proposals = [await make_proposal(others[i % 3], title=f"Proposition {i}") for i in added]
    await Support.bulk_create([Support(proposal_id=p.id, user_id=citizen.id) for p in proposals])
    new = []
    for i in added:
        parent = comments[-1] if i % 2 else None
        comment = await Comment.create(
            proposal_id=debated.id,
            author_id=others[i % 3].id,
            body=f"<p>Avis {i}</p>",
            parent_id=parent.id if parent else None,
            depth=1 if parent else 0,
        )
        comments.append(comment)
        new.append(comment)
    await CommentVote.bulk_create(
        [CommentVote(comment_id=c.id, user_id=citizen.id, value=1) for c in new]
    )
    await Notification.bulk_create(
        [
            Notification(
                user_id=citizen.id,
                kind="comment",
                event_key=f"comment:{c.id}",
                proposal_id=debated.id,
                comment_id=c.id,
                actor_id=c.author_id,
            )
            for c in new
        ]
    )
    await Project.bulk_create(
        [
            Project(
                budget_id=seeded["budget"].id,
                title=f"Projet {i}",
                description="<p>Un projet.</p>",
                cost=1000,
                feasibility=Feasibility.FEASIBLE,
            )
            for i in added
        ]
    )
    question = seeded["questions"]["multiple"]
    await Option.bulk_create(
        [Option(question_id=question.id, position=10 + i, label=f"Choix {i}") for i in added]
    )


PAGES = {
    "home": "/",
    "proposals": "/proposals",
    "proposal": "/proposals/{debated}",
    "ballot": "/budgets/{budget}/ballot",
    "receipt": "/budgets/{budget}/ballot/receipt",
    "questionnaire": "/consultations/{consultation}/answer",
    "results": "/consultations/{consultation}/results",
    "notifications": "/notifications",
    "account": "/account",
}


@pytest.mark.parametrize("page", list(PAGES))
async def test_a_signed_in_page_runs_a_few_statements_whatever_the_volume(
    settings: Settings, app: Any, client: httpx.AsyncClient, citizen: User, page: str
) -> None:
    seeded = await town(settings, citizen)
    await log_in(client, citizen)
    budget = seeded["budget"]
    url = PAGES[page].format(
        debated=seeded["debated"].id, budget=budget.id, consultation=seeded["consultation"].id
    )
    if page == "receipt":
        ballot = f"/budgets/{budget.id}/ballot"
        fields = with_ids({"project": ["P0"]}, seeded["projects"])
        token = await csrf_token(client, ballot)
        cast = await client.post(ballot, data={**fields, "action": "cast", "csrf_token": token})
        assert cast.status_code == 303, cast.text
    counts = {}
    for volume in (1, 50):
        await grow(seeded, citizen, volume)
        await invalidate(app.state.redis)  # as every write through the site: shared parts go
        await client.get(url)  # what a process computes once is computed
        counts[volume], response = await count_queries(client, url)
        assert response.status_code == 200, response.text
    assert counts[1] == counts[50], counts
    assert counts[50] <= STATEMENTS_PER_PAGE, counts
