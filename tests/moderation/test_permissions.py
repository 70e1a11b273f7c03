"""Permission matrix: anonymous, citizen, moderator, admin × every moderation and admin route."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from moderation.models import ReasonTemplate
from participation.accounts.models import Role, User
from participation.permissions import can_reach_moderation
from participation.templating import nav_links
from tests.conftest import create_user, csrf_token, log_in
from tests.moderation.helpers import browser, configure, make_comment
from tests.participation.proposal_factories import make_proposal

ROLES = ("anonymous", "citizen", "moderator", "admin")
# route -> roles that get through (others: anonymous are sent to log in, the rest get 403)
MATRIX: dict[tuple[str, str], set[str]] = {
    ("GET", "/moderation"): {"moderator", "admin"},
    ("POST", "/moderation/decide"): {"moderator", "admin"},
    ("GET", "/moderation/users/{target}"): {"moderator", "admin"},
    ("POST", "/moderation/users/{target}/block"): {"moderator", "admin"},
    ("POST", "/moderation/users/{target}/unblock"): {"admin"},
    ("GET", "/admin"): {"admin"},
    ("GET", "/admin/audit"): {"admin"},
    ("GET", "/admin/audit.csv"): {"admin"},
    ("GET", "/admin/moderation/reasons"): {"admin"},
    ("POST", "/admin/moderation/reasons"): {"admin"},
    ("GET", "/admin/moderation/reasons/{template}"): {"admin"},
    ("POST", "/admin/moderation/reasons/{template}"): {"admin"},
    ("POST", "/admin/moderation/reasons/{template}/delete"): {"admin"},
    ("GET", "/moderation/mine"): {"citizen", "moderator", "admin"},
    ("GET", "/moderation/report/comment/{comment}"): {"citizen", "moderator", "admin"},
    ("POST", "/moderation/report/comment/{comment}"): {"citizen", "moderator", "admin"},
}


async def _attempt(c: httpx.AsyncClient, method: str, url: str) -> tuple[int, str]:
    if method == "GET":
        response = await c.get(url)
    else:
        token = await csrf_token(c)
        data = {"csrf_token": token, "reason": "Motif.", "duration": "1d", "action": "approve"}
        if "report" in url:
            data["reason"] = "spam"
        response = await c.post(url, data=data)
    return response.status_code, response.headers.get("location", "")


@pytest.mark.parametrize("role", ROLES)
async def test_permission_matrix(app: Any, tmp_path: Any, redis_url: str, role: str) -> None:
    # a fresh browser logs in for each route: more log-ins than the rate limit allows
    # (rate limits are tested in test_rate_limits.py)
    settings = configure(app, tmp_path, redis_url, RATE_LIMITS="off")
    users: dict[str, User] = {
        "citizen": await create_user(settings, "citizen@example.org"),
        "moderator": await create_user(settings, "mod@example.org", Role.MODERATOR),
        "admin": await create_user(settings, "admin@example.org", Role.ADMIN),
    }
    author = await create_user(settings, "author@example.org")
    comment = await make_comment(await make_proposal(author), author)
    results: dict[tuple[str, str], int] = {}
    for (method, path), allowed in MATRIX.items():
        target = await create_user(settings, f"target{len(results)}@example.org")
        template = await ReasonTemplate.create(text_fr="Motif.", text_en="Reason.")
        url = path.format(target=target.id, comment=comment.id, template=template.id)
        if path.endswith("/unblock"):
            from moderation.models import UserBlock

            await UserBlock.create(user_id=target.id, reason="Préalable.")
        async with browser(app) as c:
            if role != "anonymous":
                await log_in(c, users[role])
            status, location = await _attempt(c, method, url)
        results[(method, path)] = status
        to_login = status == 303 and location.startswith("/account/login")
        if role in allowed:  # through: a page, a redirect after success, or a form error
            assert status in (200, 303, 422) and not to_login, (method, path, status)
        elif role == "anonymous":
            assert to_login, (method, path, status)
        else:
            assert status == 403, (method, path, status)
    assert len(results) == len(MATRIX)


def _someone(
    signed_in: bool = True, moderator: bool = False, of_a_space: bool = False
) -> SimpleNamespace:
    """A user as the session lookup gives it (`moderates_a_space`: moderation's session column)."""
    return SimpleNamespace(
        is_authenticated=signed_in,
        is_moderator=moderator,
        is_admin=False,
        moderates_a_space=of_a_space,
    )


@pytest.mark.parametrize(
    ("who", "reaches"),
    [
        (_someone(signed_in=False), False),
        (_someone(signed_in=False, of_a_space=True), False),  # a stale flag without a session
        (_someone(), False),
        (_someone(of_a_space=True), True),
        (_someone(moderator=True), True),
    ],
)
def test_the_moderation_link_and_the_queue_ask_one_predicate(
    who: SimpleNamespace, reaches: bool
) -> None:
    """Pure: who reaches /moderation (its routes ask `can_reach_moderation`), and the header
    links there exactly then."""
    assert can_reach_moderation(who) == reaches
    linked = any(link.route == "moderation:index" for link in nav_links(who))
    assert linked == reaches
