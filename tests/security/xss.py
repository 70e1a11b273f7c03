"""The XSS corpus, how to plant it through the real forms, and how to look for it in HTML.

Shared by tests/security/test_xss.py (the HTML the server sends) and tests/browser/test_xss.py
(what a real browser runs). Every payload sets `window.__xss` or calls a dialog if it ever runs,
and every attribute it tries to smuggle carries the marker `__xss` (not plain "xss": a random
CSRF token on the page may contain those three letters).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx

from tests.conftest import TEST_PASSWORD, csrf_token

PAYLOADS = [
    "<script>window.__xss=1;alert('xss')</script>",
    '<img src=x onerror="window.__xss=1" alt=xss>',
    '<a href="javascript:window.__xss=1">xss lien</a>',
    '<a href="&#106;avascript&#58;window.__xss=1">xss encoded</a>',
    '<a href=" jav&#x09;ascript:window.__xss=1">xss tab</a>',
    '<svg onload="window.__xss=1"><title>xss</title></svg>',
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=1 alt=xss>"></noscript>',
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1 alt=xss>",
    '<div hx-get="/account/logout?__xss" hx-trigger="load" hx-target="body">xss htmx</div>',
    '<p hx-on:click="window.__xss=1" data-hx-on-load="window.__xss=1" hx-on="__xss">xss on</p>',
    '<form action="/account/logout?__xss"><button formaction="javascript:alert(1)">x</button>',
    '<iframe srcdoc="<script>parent.__xss=1</script>" title=xss></iframe>',
    '"><script>window.__xss=1</script><input value="xss',
    "'><svg/onload=window.__xss=1 xss>",
    "{{7*7}} {% if 1 %}xss-jinja{% endif %} ${7*7} #{7*7}",
    "＜script＞window.__xss=1＜/script＞ \u202excss\u202c xss-unicode",
]
# the same, written the Markdown way (residents write Markdown: participation/richtext.py)
MARKDOWN_PAYLOADS = [
    "[xss lien](javascript:window.__xss=1)",
    "[xss casse](JaVaScRiPt:window.__xss=1)",
    "[xss entité](&#106;avascript&#58;window.__xss=1)",
    "[xss espace]( javascript:window.__xss=1 )",
    "[xss échappé](java\\script:window.__xss=1)",
    "<javascript:window.__xss=1>",
    "[xss référence][r]\n\n[r]: javascript:window.__xss=1",
    "![xss image](javascript:window.__xss=1) ![xss](https://example.org/__xss.png)",
    "[xss data](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)",
    "[xss vb](vbscript:window.__xss=1)",
    '[xss titre](https://example.org "\\" onmouseover=\\"window.__xss=1")',
    "**<img src=x onerror=window.__xss=1 alt=xss>**",
    '<a href="javascript:window.__xss=1">*xss html*</a>',
    "&lt;script&gt;window.__xss=1&lt;/script&gt; &#60;img src=x onerror=window.__xss=1&#62;",
    "`<script>window.__xss=1</script>`\n\n```\n<script>window.__xss=1</script>\n```",
    '<https://example.org/__xss" onmouseover="window.__xss=1>',
]
MARKER = "__xss"
# the literal text of template injections: shown as typed, never evaluated
TEMPLATE_TEXT = "{{7*7}}"
# attributes that run or fetch something; none may carry the marker
RUNNING_ATTRIBUTES = re.compile(r"^(on|hx-|data-hx-|srcdoc$|formaction$)")
# our own scripts (the CSP allows only files of the site; consultations: static/js/show-if.js
# and one-question.js; the moderation queue's keyboard shortcuts: static/js/moderation-queue.js)
ALLOWED_SCRIPTS = {
    "/static/vendor/htmx.min.js",
    "/static/js/show-if.js",
    "/static/js/one-question.js",
    "/static/js/moderation-queue.js",
}
# a script's address carries its content's hash (participation/assets.py): /static/v/<hash>/...
VERSIONED = re.compile(r"^/static/v/[0-9a-f]{16}/")
# the one <img> a page with a payload shows: the pattern drawn for what has no image
# (participation/pictures/illustration.py), by its key
PATTERN = re.compile(r"^/static/patterns/[0-9a-f]{64}\.svg\?v=[0-9a-f]{12}$")
# elements no template uses, that payloads try to add
FORBIDDEN_TAGS = {"img", "iframe", "math", "mglyph", "style", "noscript", "object", "embed", "base"}


def all_payloads(prefix: str = "") -> str:
    """Every payload, one paragraph each (long fields take them all at once)."""
    return prefix + "\n\n".join(PAYLOADS)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and VERSIONED.sub("/static/", values.get("src") or "") not in (
            ALLOWED_SCRIPTS
        ):
            self.problems.append(f"<script {attrs}>")
        pattern = tag == "img" and set(values) == {"class", "src", "alt", "width", "height"} | {
            "decoding"
        }
        if pattern and not PATTERN.match(values.get("src") or ""):
            pattern = False
        if tag in FORBIDDEN_TAGS and not pattern:
            self.problems.append(f"<{tag} {attrs}>")
        for name, value in attrs:
            text = (value or "").lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            elif RUNNING_ATTRIBUTES.match(name) and MARKER in text:
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction"):
                squeezed = re.sub(r"[\x00-\x20]", "", text)
                if squeezed.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def injected_markup(html: str) -> list[str]:
    """Elements or attributes in `html` that would run a payload (empty when safe)."""
    collector = _Collector()
    collector.feed(html)
    return collector.problems


@dataclass
class Planted:
    """Pages that show planted payloads, by who may open them."""

    pages: dict[str, list[str]] = field(default_factory=dict)
    fragments: list[str] = field(default_factory=list)  # also asked for with HX-Request
    notify_on: str = ""  # a proposal whose title is a payload

    def add(self, role: str, *urls: str) -> None:
        self.pages.setdefault(role, []).extend(urls)


OpenClient = Callable[[Any], AbstractAsyncContextManager[httpx.AsyncClient]]
Lookup = Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]]


async def _post(client: httpx.AsyncClient, url: str, data: dict[str, Any]) -> httpx.Response:
    response = await client.post(url, data={**data, "csrf_token": await csrf_token(client)})
    assert response.status_code in (200, 303), (url, response.status_code, response.text[-2000:])
    return response


def _short(payload: str, limit: int) -> str:
    return payload[:limit]


async def plant(open_client: OpenClient, lookup: Lookup, world: Any) -> Planted:
    """Submit the corpus into every field that is shown somewhere, through the forms."""
    ids, planted = world.ids, Planted()
    proposal, budget = ids["id"], ids["budget_id"]

    async with open_client(None) as visitor:  # display names, through sign-up
        for i, payload in enumerate(p for p in PAYLOADS if len(p) <= 80 and "@" not in p):
            visitor.cookies.clear()
            await _post(
                visitor,
                "/account/signup",
                {
                    "email": f"xss{i}@example.org",
                    "display_name": payload,
                    "password": TEST_PASSWORD,
                    "password_confirmation": TEST_PASSWORD,
                    "accept_terms": "yes",
                },
            )
            planted.add(f"xss{i}@example.org", "/account", "/proposals")

    from tests.participation.proposal_factories import good_form

    territory = await lookup(good_form)
    async with open_client(world.owner) as owner:
        for i, payload in enumerate(PAYLOADS):  # a proposal per payload in its title
            response = await _post(
                owner,
                "/proposals/new",
                {
                    **territory,
                    "title": _short(f"{payload} n°{i}", 150),
                    "body": all_payloads(f"Version {i}. "),
                    "address": _short(payload, 200),
                },
            )
            url = response.headers["location"].split("#")[0]
            await _post(owner, f"{url}/state", {"state": "published"})
            planted.add("anonymous", url, f"{url}/history")
            planted.notify_on = planted.notify_on or url
        await _post(
            owner, f"/proposals/{proposal}/comments", {"body": all_payloads(), "stance": "for"}
        )
        consultation = ids["consultation_id"]
        single, short = await lookup(lambda: _question_ids(consultation))
        answers = await lookup(lambda: _valid_answers(consultation))
        answers[f"q{single}"] = "0"  # "other", with its own text
        answers[f"q{single}-other"] = _short(PAYLOADS[1], 200)
        answers[f"q{short}"] = _short(PAYLOADS[8], 200)
        await _post(owner, f"/consultations/{consultation}/answer", answers)
        # the results job reads the answer: its texts are then listed for the moderator
        await lookup(lambda: _compute_results(world.settings, consultation))
        planted.add("owner", f"/consultations/{consultation}/answer")
        planted.add("moderator", f"/admin/consultations/{consultation}/texts")
    planted.add("anonymous", "/proposals", f"/proposals/{proposal}")
    planted.fragments.append("/proposals")

    async with open_client(world.other) as other:
        # a comment on a proposal whose title is a payload: the owner's notification names it
        await _post(
            other,
            f"{planted.notify_on}/comments",
            {"body": "Une remarque sur le titre.", "stance": "for"},
        )
        planted.add("owner", "/notifications")
        await _post(
            other,
            f"/proposals/{proposal}/amendments/new",
            {
                "title": _short(PAYLOADS[9], 150),
                "body": all_payloads("Amendement. "),
                "reason": _short(all_payloads(), 1000),
            },
        )
        await _post(
            other,
            f"/moderation/report/comment/{ids['comment']}",
            {"reason": "offensive", "text": _short(all_payloads(), 1000)},
        )
    planted.add("owner", f"/proposals/{proposal}")

    async with open_client(world.admin) as admin:
        await _post(admin, f"/proposals/{proposal}/answer", {"answer": all_payloads()})
        for i, payload in enumerate(PAYLOADS[:4]):
            response = await _post(
                admin,
                f"/budgets/{budget}/projects/new",
                {"title": payload, "description": all_payloads(), "cost": str(1000 + i)},
            )
            planted.add("anonymous", response.headers["location"])
        # the feasibility reason, on a budget still open to review (the other has ballots)
        preparing = world.hidden["budget_in_preparation"]
        response = await _post(
            admin,
            f"/budgets/{preparing}/projects/new",
            {"title": PAYLOADS[5], "description": all_payloads(), "cost": "1000"},
        )
        project = response.headers["location"]
        await _post(
            admin,
            f"/admin/budgets/{preparing}/projects/{project.rsplit('/', 1)[1]}",
            {
                "title": PAYLOADS[5],
                "cost": "1000",
                "feasibility": "unfeasible",
                "feasibility_reason": all_payloads(),
                "version": "1",
            },
        )
        planted.add("admin", project, f"/admin/budgets/{preparing}")
        planted.add("anonymous", f"/budgets/{budget}")
        planted.add("admin", f"/admin/budgets/{budget}", "/admin/audit")
        planted.fragments.append(f"/budgets/{budget}")

    async with open_client(world.admin) as admin:  # what staff type in their own forms
        await _plant_staff_texts(admin, planted)

    async with open_client(world.moderator) as moderator:
        case = await lookup(lambda: _open_case(ids["comment"]))
        await _post(
            moderator,
            "/moderation/decide",
            {"case": str(case), "action": "hide", "reason": _short(all_payloads(), 1000)},
        )
        await _post(
            moderator,
            f"/moderation/users/{world.other.id}/block",
            {"duration": "1d", "reason": _short(all_payloads(), 1000)},
        )
        planted.add("moderator", "/moderation", f"/moderation/users/{world.other.id}")
        for user_id in await lookup(_payload_users):
            planted.add("moderator", f"/moderation/users/{user_id}")
    planted.add("owner", "/moderation/mine")
    return planted


async def _plant_staff_texts(admin: httpx.AsyncClient, planted: Planted) -> None:
    """A consultation (title, context, question, options, outcome) and a budget (title,
    description, districts, categories) written by staff with the corpus."""
    response = await _post(
        admin,
        "/admin/consultations/new",
        {
            "title": _short(PAYLOADS[12], 200),
            "context": all_payloads(),
            "opens_at": "2026-01-01T09:00",
            "closes_at": "2099-12-31T18:00",
            "audience": "everyone",
            "anonymous": "on",
        },
    )
    staff = response.headers["location"]
    question = {
        "kind": "single",
        "text": _short(PAYLOADS[13], 300),
        "help_text": _short(all_payloads(), 1000),
        "options": f"{PAYLOADS[6]}\n{PAYLOADS[9]}",
        "required": "on",
    }
    await _post(admin, f"{staff}/questions/new", question)
    await _post(admin, f"{staff}/phase", {"phase": "open"})
    public = staff.replace("/admin", "")
    planted.add("anonymous", public, f"{public}/answer", "/consultations")
    planted.add("admin", staff, f"{staff}/edit")
    response = await _post(
        admin,
        "/admin/budgets/new",
        {
            "title": _short(PAYLOADS[10], 200),
            "description": all_payloads(),
            "total_amount": "100000",
            "districts": "Nord <img src=x onerror=window.__xss=1 alt=xss>: 1000",
            "categories": "\n".join(PAYLOADS[:3]),
        },
    )
    budget = response.headers["location"]
    planted.add("admin", budget, f"{budget}/edit", budget.replace("/admin", ""), "/budgets")
    # a Pabulib file: its description and project names become a public, closed budget
    names = [p.replace(";", ",").replace("\n", " ") for p in PAYLOADS[:3]]
    pabulib = (
        "META\nkey;value\n"
        f"description;{names[1]}\ncountry;France\nunit;Testville\ninstance;2024\n"
        "num_projects;3\nnum_votes;2\nbudget;100\nvote_type;approval\nrule;greedy\n"
        "PROJECTS\nproject_id;cost;votes;name;selected\n"
        + "".join(f"{i};{30 + i};1;{name};1\n" for i, name in enumerate(names, start=1))
        + "VOTES\nvoter_id;vote\nv1;1,2\nv2;3\n"
    )
    response = await admin.post(
        "/admin/budgets/import",
        data={"csrf_token": await csrf_token(admin)},
        files={"file": ("xss.pb", pabulib.encode(), "text/plain")},
    )
    assert response.status_code == 303, response.text[-1500:]
    imported = response.headers["location"]
    planted.add("anonymous", imported.replace("/admin", ""))
    planted.add("admin", imported)


async def _question_ids(consultation: int) -> tuple[int, int]:
    from consultations.models import Question, QuestionKind

    questions = await Question.filter(consultation_id=consultation).order_by("position")
    single = next(q.id for q in questions if q.kind == QuestionKind.SINGLE)
    short = next(q.id for q in questions if q.kind == QuestionKind.SHORT_TEXT)
    return single, short


async def _compute_results(settings: Any, consultation: int) -> None:
    from consultations import services

    await services.compute_results(settings, consultation)


async def _valid_answers(consultation: int) -> dict[str, Any]:
    from consultations.models import Question
    from tests.consultations.factories import valid_answers

    questions = await Question.filter(consultation_id=consultation).order_by("position")
    keys = ["single", "multiple", "ranking", "scale", "majority", "number", "short", "why"]
    return dict(await valid_answers(dict(zip(keys, questions, strict=True))))


async def _open_case(comment: int) -> int:
    from moderation.models import ModerationCase

    case = await ModerationCase.get(target_kind="comment", target_id=comment)
    return case.id


async def _payload_users() -> list[int]:
    from participation.accounts.models import User

    return list(await User.filter(email__startswith="xss").values_list("id", flat=True))


async def pages_to_check(planted: Planted) -> AsyncIterator[tuple[str, str]]:
    for role, urls in planted.pages.items():
        for url in dict.fromkeys(urls):
            yield role, url
