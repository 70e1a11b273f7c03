"""The public read API (participation/api.py) and the open data (participation/opendata.py).

Pure first: cursors (a forged one is refused), limits, ETags, the OpenAPI document (valid, and
every declared example matches its schema), the cells of the two CSVs, the ODS file read back
with odfpy. Then over HTTP: every collection walked page by page as a signed-in moderator (the
cookie must change nothing), each response validated against the document with openapi-core,
with one object of each state that must stay out (hidden, pending, draft, refused by
moderation, unpublished, in preparation, private); bad parameters, 304, CORS, 429; the open-data
page and each dataset's files, whose CSV headers match their Table Schema."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from datetime import UTC, date, datetime
from typing import Any

import httpx
import jsonschema
import pytest
from odf import opendocument, table, teletype
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_spec_validator import validate

from budgets.models import Budget, Phase, Project
from consultations.models import Consultation
from consultations.models import Phase as ConsultationPhase
from indicators.models import IndicatorSet, TargetKind
from participation import api, opendata, ratelimit
from participation.accounts.models import User
from participation.comments.models import Comment
from participation.contributions import ModerationState
from participation.features import ApiField, ApiFilter
from participation.proposals.domain import ProposalState
from participation.proposals.models import Proposal
from participation.residents.models import District
from participation.settings import Settings
from participation.spaces.models import Space
from tests.budgets.test_results import published_budget
from tests.conftest import logged_in
from tests.consultations.factories import consultation_open
from tests.meetings.factories import meeting_next_week
from tests.participation.proposal_factories import make_proposal
from tests.proposals.factories import ideas_box

SECRET = "test-secret-key-not-for-production"
SECRET_TITLE = "SECRET-NE-DOIT-PAS-PARAITRE"


def document() -> dict[str, Any]:
    return api.openapi(api.resources(), site_name="Villebelle", base_url="http://testserver")


# --- pure ------------------------------------------------------------------------------------


def test_a_cursor_comes_back_as_its_key_and_any_other_is_refused() -> None:
    cursor = api.encode_cursor(SECRET, "budget_results", (3, 31))
    assert api.decode_cursor(SECRET, "budget_results", cursor, 2) == (3, 31)
    assert api.decode_cursor(SECRET, "proposals", None, 1) == ()
    encoded, signature = cursor.split(".")
    forged = api._b64(b"budget_results:3,99") + "." + signature
    for bad, resource, arity in [
        ("garbage", "budget_results", 2),
        ("a.b", "budget_results", 2),
        ("%%%.%%%", "budget_results", 2),
        (forged, "budget_results", 2),  # another position with the old signature
        (cursor, "ballots", 2),  # another collection's cursor
        (cursor, "budget_results", 1),  # another arity
        (api.encode_cursor("another key", "budget_results", (3, 31)), "budget_results", 2),
        (cursor + "x" * 300, "budget_results", 2),
        ("é." + signature, "budget_results", 2),
        (cursor.replace(".", ".."), "budget_results", 2),
    ]:
        with pytest.raises(api.BadRequest):
            api.decode_cursor(SECRET, resource, bad, arity)


@pytest.mark.parametrize(
    ("raw", "limit"), [(None, 50), ("", 50), ("1", 1), ("200", 200), ("007", 7)]
)
def test_limits_read(raw: str | None, limit: int) -> None:
    assert api.parse_limit(raw) == limit


@pytest.mark.parametrize("raw", ["0", "201", "-1", "abc", "1.5", "²", "١", "99999999999"])
def test_limits_refused(raw: str) -> None:
    with pytest.raises(api.BadRequest):
        api.parse_limit(raw)


def test_if_none_match_names_the_etag() -> None:
    tag = api.etag_of(b"{}")
    assert api.matches(tag, tag) and api.matches(f'"x", W/{tag}', tag) and api.matches("*", tag)
    assert not api.matches(None, tag) and not api.matches('"other"', tag)


def test_the_document_is_valid_openapi_and_every_example_matches_its_schema() -> None:
    spec = document()
    validate(spec)
    assert spec["openapi"] == "3.1.0" and spec["info"]["license"]["identifier"] == "etalab-2.0"
    names = {r.name for r in api.resources()}
    assert names >= {
        "spaces",
        "proposals",
        "comments",
        "consultations",
        "consultation_results",
        "budgets",
        "projects",
        "budget_results",
        "ballots",
        "meetings",
        "indicators",
    }
    with_items = {r.name for r in api.resources() if r.item is not None}
    assert with_items == {n for n in names if n not in ("budget_results", "ballots")} - {
        "consultation_results",
        "indicators",
    }  # every collection keyed by id has its item address
    assert set(spec["paths"]) == {f"/{name}" for name in names} | {
        f"/{name}/{{id}}" for name in with_items
    }
    for resource in api.resources():
        jsonschema.validate(
            api.jsonable(resource.fields, resource.example), api.item_schema(resource)
        )
        assert set(resource.example) == {f.name for f in resource.fields}, resource.name
        # the pages show the translations as markup (Jinja's i18n): no "<" in a msgid
        texts = [
            resource.title,
            resource.description,
            *(f.description for f in resource.fields),
            *(f.description for f in resource.filters),
        ]
        assert not [t for t in texts if "<" in t or "&" in t], resource.name


def test_cells_for_people_and_for_programs() -> None:
    paris_noon = datetime(2026, 7, 14, 10, 0, tzinfo=UTC)  # 12:00 in Paris (summer)
    cases = [
        (ApiField("n", "number", ""), 0.25, "0,25", "0.25"),
        (ApiField("n", "number", ""), 1e-05, "0,00001", "0.00001"),
        (ApiField("n", "number", ""), 3.0, "3", "3"),
        (ApiField("n", "integer", ""), 1234567, "1234567", "1234567"),
        (ApiField("n", "number", "", nullable=True), None, "", ""),
        (ApiField("d", "datetime", ""), paris_noon, "14/07/2026 12:00", "2026-07-14T10:00:00Z"),
        (ApiField("d", "date", ""), date(2026, 1, 2), "02/01/2026", "2026-01-02"),
        (ApiField("b", "boolean", ""), True, "oui", "true"),
        (ApiField("s", "string", ""), "Été", "Été", "Été"),
    ]
    for field, value, people, raw in cases:
        assert (opendata.people_cell(field, value), opendata.raw_cell(field, value)) == (
            people,
            raw,
        ), (field, value)


def test_the_two_csvs_and_their_headers_match_each_schema() -> None:
    for resource in opendata.datasets():
        names = [f["name"] for f in opendata.table_schema(resource)["fields"]]
        items = [resource.example, resource.example]
        people = opendata.people_csv(resource.fields, items).decode()
        assert people.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(people.removeprefix("\ufeff")), delimiter=";"))
        assert rows[0] == names and len(rows) == 3
        raw = list(csv.reader(io.StringIO(opendata.raw_csv(resource.fields, items).decode())))
        assert raw[0] == names and len(raw) == 3
        # the saved file states its licence: a last column, the same on every row
        assert names[-1] == "licence"
        for row in rows[1:] + raw[1:]:
            assert row[-1] == "Licence Ouverte 2.0 (Etalab), " + opendata.licence.URL
    fields = (ApiField("title", "string", ""), ApiField("share", "number", ""))
    hostile = [{"title": '=HYPERLINK("https://evil.example")', "share": 0.5}]
    assert "'=HYPERLINK" in opendata.people_csv(fields, hostile).decode()
    assert "0,5" in opendata.people_csv(fields, hostile).decode()


def _sheets(content: bytes) -> dict[str, list[list[str]]]:
    """Each sheet's rows of text, read by odfpy."""
    doc = opendocument.load(io.BytesIO(content))
    found = {}
    for sheet in doc.spreadsheet.getElementsByType(table.Table):
        rows = []
        for row in sheet.getElementsByType(table.TableRow):
            cells = row.getElementsByType(table.TableCell)
            rows.append([teletype.extractText(c) for c in cells])
        found[sheet.getAttribute("name")] = rows
    return found


def test_the_ods_file_opens_with_typed_cells_and_states_the_licence() -> None:
    fields = (
        ApiField("title", "string", ""),
        ApiField("share", "number", "", nullable=True),
        ApiField("at", "datetime", ""),
    )
    items = [
        {"title": "<b>Bancs & co</b>", "share": 0.5, "at": datetime(2026, 1, 5, 8, tzinfo=UTC)}
    ]
    licence = opendata.licence_lines("Propositions", "Villebelle", "https://x/donnees-ouvertes")
    content = opendata.ods_file("Propositions", fields, items, licence)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
        assert b'office:value-type="float" office:value="0.5"' in archive.read("content.xml")
    sheets = _sheets(content)
    assert sheets["Propositions"][0] == ["title", "share", "at", "licence"]
    assert sheets["Propositions"][1] == [
        "<b>Bancs & co</b>",
        "0.5",
        "05/01/2026 09:00",
        opendata.LICENCE_VALUE,
    ]
    assert ["Licence", opendata.LICENCE_TITLE] in sheets["Licence"]


# --- over HTTP -------------------------------------------------------------------------------


def _check(spec: OpenAPI, path: str, params: dict[str, str], response: httpx.Response) -> None:
    request = MockRequest("http://testserver", "get", path, args=params)
    spec.validate_response(
        request,
        MockResponse(
            response.content,
            response.status_code,
            dict(response.headers),
            response.headers.get("content-type", "").split(";")[0],
        ),
    )


async def _walk(client: httpx.AsyncClient, spec: OpenAPI, name: str) -> list[dict[str, Any]]:
    """Every item of a collection, two by two, each page checked against the document."""
    items: list[dict[str, Any]] = []
    params = {"limit": "2"}
    for _ in range(100):
        response = await client.get(f"/api/v1/{name}", params=params)
        assert response.status_code == 200, response.text
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers
        _check(spec, f"/api/v1/{name}", params, response)
        page = response.json()
        items += page["data"]
        if page["next_cursor"] is None:
            return items
        params = {"limit": "2", "cursor": page["next_cursor"]}
    raise AssertionError("endless pages")


async def _indicator_set(public: bool, title: str) -> None:
    groups = [
        {"key": "Nord", "participants": 12, "population": 30, "participant_share": 0.6,
         "population_share": 0.5},
        {"key": "Sud", "participants": None, "population": 30, "participant_share": None,
         "population_share": 0.5},
    ]  # fmt: skip
    content = {
        "participants": 20,
        "eligible": 60,
        "by_district": groups,
        "by_age": [],
        "dissimilarity": {"district": 0.1, "age": None},
        "by_channel": [{"key": "online", "count": 20}],
        "over_time": [{"key": "2026-W10", "count": 20}],
    }
    await IndicatorSet.create(
        target_kind=TargetKind.PROPOSALS,
        target_id=0 if public else 1,
        title=title,
        public=public,
        content=json.dumps(content),
        computed_at=datetime(2026, 3, 1, tzinfo=UTC),
    )


async def test_every_collection_follows_the_document_and_shows_only_public_content(
    app: Any, settings: Settings, citizen: User, moderator: User
) -> None:
    budget, projects, _ = await published_budget(settings)
    hidden_project = next(iter(projects.values()))
    await Project.filter(id=hidden_project.id).update(moderation_state=ModerationState.HIDDEN)
    draft_budget = await Budget.create(title=SECRET_TITLE, total_amount=1000)  # in preparation
    public = await make_proposal(citizen, title="Des bancs")
    secret = {
        "hidden": await make_proposal(citizen, title=SECRET_TITLE + " cachée"),
        "pending": await make_proposal(citizen, state=ProposalState.PENDING, title=SECRET_TITLE),
        "draft": await make_proposal(citizen, state=ProposalState.DRAFT, title=SECRET_TITLE),
    }
    await Proposal.filter(id=secret["hidden"].id).update(moderation_state=ModerationState.HIDDEN)
    shown = await Comment.create(proposal_id=public.id, author_id=citizen.id, body="Oui")
    comments_out = [
        await Comment.create(
            proposal_id=public.id,
            author_id=citizen.id,
            body=SECRET_TITLE,
            moderation_state=ModerationState.HIDDEN,
        ),
        await Comment.create(
            proposal_id=public.id,
            author_id=citizen.id,
            body=SECRET_TITLE,
            moderation_state=ModerationState.PENDING,
        ),
        await Comment.create(proposal_id=secret["hidden"].id, author_id=citizen.id, body="x"),
        await Comment.create(
            proposal_id=public.id, author_id=citizen.id, body="x", deleted_at=datetime.now(UTC)
        ),
    ]
    closed, _ = await consultation_open(title="Consultation close")
    await Consultation.filter(id=closed.id).update(phase=ConsultationPhase.CLOSED)
    early, _ = await consultation_open(title="Ouverte, résultats cachés")
    preparing, _ = await consultation_open(title=SECRET_TITLE)
    await Consultation.filter(id=preparing.id).update(phase=ConsultationPhase.PREPARATION)
    await Space.create(
        title="Démarche publiée", slug="publiee", starts_at=datetime(2026, 1, 1, tzinfo=UTC),
        published=True,
    )  # fmt: skip
    await Space.create(
        title=SECRET_TITLE, slug="brouillon", starts_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    meeting = await meeting_next_week(title="Réunion du quartier")
    # comments on the other kinds that take them (features.Commentable): shown when visible on
    # what anybody sees, never hidden or pending ones, nor on a hidden project or an outcome
    # not published
    visible_project = next(p for p in projects.values() if p.id != hidden_project.id)
    published = datetime(2026, 3, 1, tzinfo=UTC)
    await Consultation.filter(id=closed.id).update(outcome_published_at=published)

    async def on(kind: str, target: int, **extra: Any) -> Comment:
        values = {"author_id": citizen.id, "body": "Oui", **extra}
        return await Comment.create(target_kind=kind, target_id=target, **values)

    shown_elsewhere = [
        await on("budget_project", visible_project.id),
        await on("meeting", meeting.id),
        await on("consultation_outcome", closed.id),
    ]
    hidden, pending = ModerationState.HIDDEN, ModerationState.PENDING
    comments_out += [
        await on("budget_project", visible_project.id, moderation_state=hidden, body=SECRET_TITLE),
        await on("meeting", meeting.id, moderation_state=pending, body=SECRET_TITLE),
        await on("consultation_outcome", closed.id, moderation_state=hidden, body=SECRET_TITLE),
        await on("budget_project", hidden_project.id),
        await on("consultation_outcome", early.id),  # no outcome published
        await on("consultation_outcome", preparing.id),
        await on("meeting", 987654),
    ]
    await _indicator_set(True, "Propositions")
    await _indicator_set(False, SECRET_TITLE)

    spec = OpenAPI.from_dict(document())
    async with logged_in(app, moderator) as client:  # a moderator's cookie changes nothing
        walked = {r.name: await _walk(client, spec, r.name) for r in api.resources()}
        everything = json.dumps(walked, ensure_ascii=False)
        assert SECRET_TITLE not in everything

        assert [p["id"] for p in walked["proposals"]] == [public.id]
        assert [c["id"] for c in walked["comments"]] == [shown.id, *(c.id for c in shown_elsewhere)]
        assert [(c["target_kind"], c["proposal_id"]) for c in walked["comments"]] == [
            ("proposal", public.id),
            ("budget_project", None),
            ("meeting", None),
            ("consultation_outcome", None),
        ]
        assert visible_project.id in {p["id"] for p in walked["projects"]}
        assert not {c.id for c in comments_out} & {c["id"] for c in walked["comments"]}
        assert {b["id"] for b in walked["budgets"]} == {budget.id}
        assert draft_budget.id not in {b["id"] for b in walked["budgets"]}
        project_ids = {p["id"] for p in walked["projects"]}
        assert project_ids and hidden_project.id not in project_ids
        result_ids = {r["project_id"] for r in walked["budget_results"]}
        assert result_ids and hidden_project.id not in result_ids
        assert walked["ballots"] and all(b["budget_id"] == budget.id for b in walked["ballots"])
        assert all(hidden_project.id not in b["choices"] for b in walked["ballots"])
        assert {c["id"] for c in walked["consultations"]} == {closed.id, early.id}
        assert {r["consultation_id"] for r in walked["consultation_results"]} <= {closed.id}
        assert [s["slug"] for s in walked["spaces"]] == ["publiee"]
        assert [m["id"] for m in walked["meetings"]] == [meeting.id]
        assert {i["title"] for i in walked["indicators"]} == {"Propositions"}
        sud = next(i for i in walked["indicators"] if i["group"] == "Sud")
        assert sud["participants"] is None  # suppressed as stored

        # each item's address shows it as the pages do; what they hide is a 404 there too
        for resource in (r for r in api.resources() if r.item is not None):
            for shown_item in walked[resource.name]:
                path = f"/api/v1/{resource.name}/{shown_item['id']}"
                one = await client.get(path)
                assert one.status_code == 200 and one.json() == {"data": shown_item}, path
                _check(spec, path, {}, one)
        hidden_ids = {
            "proposals": [p.id for p in secret.values()],
            "comments": [c.id for c in comments_out],
            "projects": [hidden_project.id],
            "budgets": [draft_budget.id],
            "consultations": [preparing.id],
            "spaces": [(await Space.get(slug="brouillon")).id],
        }
        for name, ids in hidden_ids.items():
            for hidden_id in [*ids, 987654]:
                path = f"/api/v1/{name}/{hidden_id}"
                absent = await client.get(path)
                assert absent.status_code == 404, path
                assert absent.json()["error"]["code"] == "not_found"
                assert SECRET_TITLE not in absent.text
                _check(spec, path, {}, absent)

        # the ballots are the Pabulib export's, voter numbers included
        from tally import pabulib

        exported = pabulib.loads((await client.get(f"/budgets/{budget.id}/ballots.pb")).text)
        chosen = {str(b["voter"]): {str(pid) for pid in b["choices"]} for b in walked["ballots"]}
        in_file = {p.id for p in exported.projects}
        assert exported.ballots
        for ballot in exported.ballots:  # the city-wide file: its projects only
            assert set(ballot.choices) == chosen[ballot.voter_id] & in_file

        # before the results are published, neither ballots nor results
        await Budget.filter(id=budget.id).update(phase=Phase.TALLY)
        for name in ("ballots", "budget_results"):
            assert (await client.get(f"/api/v1/{name}")).json()["data"] == []


async def test_bad_parameters_are_json_4xx_and_pages_revalidate(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    for n in range(3):
        await make_proposal(citizen, title=f"Proposition {n}")
    spec = OpenAPI.from_dict(document())
    first = await client.get("/api/v1/proposals", params={"limit": "1"})
    cursor = first.json()["next_cursor"]
    meetings_cursor = api.encode_cursor(settings.secret_key, "meetings", (1,))
    for params in [
        {"cursor": "n'importe quoi"},
        {"cursor": cursor[:-2]},
        {"cursor": meetings_cursor},
        {"limit": "0"},
        {"limit": "abc"},
        {"limit": "201"},
    ]:
        response = await client.get("/api/v1/proposals", params=params)
        assert response.status_code == 400, params
        assert response.json()["error"]["code"] in ("bad_cursor", "bad_limit")
        assert response.headers["access-control-allow-origin"] == "*"
        _check(spec, "/api/v1/proposals", params, response)
    assert (
        "de 1 à 200" in (await client.get("/api/v1/proposals?limit=0")).json()["error"]["message"]
    )
    unknown = await client.get("/api/v1/nothing")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"

    second = await client.get("/api/v1/proposals", params={"limit": "1", "cursor": cursor})
    assert second.json()["data"][0]["id"] != first.json()["data"][0]["id"]
    etag = first.headers["etag"]
    again = await client.get("/api/v1/proposals?limit=1", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag and not again.content
    await make_proposal(citizen, title="Une de plus")  # the first page is the same...
    assert (
        await client.get("/api/v1/proposals?limit=1", headers={"If-None-Match": etag})
    ).status_code == 304
    changed = await client.get("/api/v1/proposals?limit=10", headers={"If-None-Match": etag})
    assert changed.status_code == 200  # ...a page that changed is sent again

    # one answer for everybody, in the site's language; only errors follow the visitor's
    await User.filter(id=citizen.id).update(deleted_at=datetime.now(UTC))
    english = {"Accept-Language": "en"}
    authors = {
        p["author"] for p in (await client.get("/api/v1/proposals", headers=english)).json()["data"]
    }
    assert authors == {"Ancien participant"}
    refused = await client.get("/api/v1/proposals?limit=0", headers=english)
    assert refused.json()["error"]["message"] == "The limit must be a whole number from 1 to 200."

    preflight = await client.options(
        "/api/v1/proposals",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "If-None-Match" in preflight.headers["access-control-allow-headers"]
    document_response = await client.get("/api/v1/openapi.json")
    assert document_response.json()["openapi"] == "3.1.0"


async def test_too_many_reads_get_a_json_429(app: Any, client: httpx.AsyncClient) -> None:
    (limit,) = ratelimit.actions()["api"].limits
    key = ratelimit.limit_key(limit, "127.0.0.1")
    now = getattr(app.state, "clock", time.time)()
    await app.state.redis.delete(key)
    await app.state.redis.zadd(key, {f"{n}": now for n in range(limit.limit)})
    response = await client.get("/api/v1/proposals")
    assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1
    assert response.json()["error"]["code"] == "rate_limited"
    _check(OpenAPI.from_dict(document()), "/api/v1/proposals", {}, response)
    await app.state.redis.delete(key)


async def test_the_api_page_and_the_open_data_page_and_files(
    client: httpx.AsyncClient, citizen: User
) -> None:
    await make_proposal(citizen, title="Des bancs, enfin", latitude=48.5)
    page = await client.get("/api/v1/")
    assert page.status_code == 200 and "<h1>API publique</h1>" in page.text
    assert "/api/v1/openapi.json" in page.text and "budget_results" in page.text
    assert "Identifiant (sa page\u00a0: /proposals/12)." in page.text  # fields in French
    assert "<script" not in page.text.split("<main", 1)[1]
    data = await client.get("/donnees-ouvertes")
    assert data.status_code == 200 and "Licence Ouverte" in data.text
    for resource in opendata.datasets():
        files = opendata.file_names(resource.name)
        for file in files.values():
            assert f"/donnees-ouvertes/{resource.name}/{file}" in data.text

        def get(file: str, name: str = resource.name) -> Any:
            return client.get(f"/donnees-ouvertes/{name}/{file}")

        schema = (await get("schema.json")).json()
        names = [f["name"] for f in schema["fields"]]
        people = await get(files["csv"])
        assert people.status_code == 200 and 'rel="license"' in people.headers["link"]
        assert people.content.startswith("\ufeff".encode())
        assert (
            next(csv.reader(io.StringIO(people.text.removeprefix("\ufeff")), delimiter=";"))
            == names
        )
        raw = await get(files["raw"])
        assert next(csv.reader(io.StringIO(raw.text))) == names
        sheets = _sheets((await get(files["ods"])).content)
        assert len(sheets) == 2 and list(sheets)[1] == "Licence"
        assert next(iter(sheets.values()))[0] == names
        package = (await get("datapackage.json")).json()
        assert package["licenses"][0]["name"] == "etalab-2.0"
    proposals = await client.get("/donnees-ouvertes/proposals/proposals.csv")
    assert ";48,5;" in proposals.text and "Des bancs, enfin" in proposals.text
    raw = await client.get("/donnees-ouvertes/proposals/proposals-brut.csv")
    assert ",48.5," in raw.text
    # the existing public exports and the API state the licence too
    for export in ("/proposals.csv", "/proposals.json", "/indicators/export.csv", "/api/v1/spaces"):
        assert "etalab.gouv.fr/licence-ouverte" in (await client.get(export)).headers["link"]
    # and inside the saved file, as the open-data files: a last column, the same on every row
    for export in ("/proposals.csv", "/indicators/export.csv", "/signalements/export.csv"):
        response = await client.get(export)
        assert "etalab.gouv.fr/licence-ouverte" in response.headers["link"]
        rows = list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))
        assert rows[0][-1] == "licence", export
        assert all(row[-1] == opendata.LICENCE_VALUE for row in rows[1:]), export
        assert export != "/proposals.csv" or len(rows) == 2  # the proposal, with its licence
    assert (await client.get("/donnees-ouvertes/proposals/other.csv")).status_code == 404
    assert (await client.get("/donnees-ouvertes/comments/comments.csv")).status_code == 404


# --- filters and items -----------------------------------------------------------------------


def test_filters_are_parsed_or_refused_naming_the_parameter() -> None:
    declared = [
        ApiFilter("budget_id", "integer", "x"),
        ApiFilter("state", "string", "x", choices=("published", "done")),
        ApiFilter("district", "string", "x"),
        ApiFilter("since", "datetime", "x"),
    ]
    reads = api.PAGE_PARAMETERS
    given = [
        ("budget_id", "3"),
        ("state", "done"),
        ("district", "Centre"),
        ("since", "2026-05-01T10:00:00+02:00"),
        ("limit", "5"),
    ]
    assert api.parse_filters(declared, given, reads) == {
        "budget_id": 3,
        "state": "done",
        "district": "Centre",
        "since": datetime(2026, 5, 1, 8, tzinfo=UTC),
    }
    assert api.parse_filters(declared, [("since", "2026-05-01")], reads) == {
        "since": datetime(2026, 5, 1, tzinfo=UTC)  # a date: midnight UTC
    }
    assert api.parse_filters(declared, [("state", ""), ("cursor", "")], reads) == {}  # absent
    refused = [
        ("budget_id", "0", "bad_parameter"),
        ("budget_id", "-1", "bad_parameter"),
        ("budget_id", "2147483648", "bad_parameter"),  # past PostgreSQL's integer
        ("budget_id", "١٢", "bad_parameter"),
        ("budget_id", "1e9", "bad_parameter"),
        ("budget_id", "' OR '1'='1", "bad_parameter"),
        ("state", "draft", "bad_parameter"),
        ("state", "PUBLISHED", "bad_parameter"),
        ("district", "x" * 101, "bad_parameter"),
        ("district", "Cen\x00tre", "bad_parameter"),
        ("since", "2026-05-01T10:00:00", "bad_parameter"),  # no time zone: ambiguous
        ("since", "hier", "bad_parameter"),
        ("since", "2026-02-30", "bad_parameter"),
        ("since", "0001-01-01T00:00:00+01:00", "bad_parameter"),  # before year 1 in UTC
        ("since", "9999-12-31T23:00:00-02:00", "bad_parameter"),
        ("budget", "3", "unknown_parameter"),
        ("page", "2", "unknown_parameter"),
    ]
    for name, value, code in refused:
        with pytest.raises(api.BadRequest) as caught:
            api.parse_filters(declared, [(name, value)], reads)
        assert (caught.value.code, caught.value.parameter) == (code, name), (name, value)
    with pytest.raises(api.BadRequest) as caught:
        api.parse_filters(declared, [("state", "done"), ("state", "published")], reads)
    assert (caught.value.code, caught.value.parameter) == ("repeated_parameter", "state")


def _valid_and_invalid(schema: dict[str, Any]) -> tuple[str, str]:
    """A value the document allows for a query parameter, and one it refuses."""
    if schema["type"] == "integer":
        return str(schema["minimum"]), str(schema["maximum"] + 1)
    if "enum" in schema:
        return schema["enum"][0], "pas-un-etat"
    if "anyOf" in schema:
        return "2026-01-01T00:00:00Z", "2026-01-01T00:00:00"
    return "Centre", "x" * (schema["maxLength"] + 1)


async def test_every_documented_parameter_answers_as_the_document_says(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    """The document against the real answers: every query parameter of every path is read
    (a value it allows: 200), a value it refuses is a 400 naming the parameter, and a
    parameter it does not list is refused too; every answer follows the document."""
    await make_proposal(citizen, title="Des bancs")
    spec_dict = document()
    spec = OpenAPI.from_dict(spec_dict)
    shared = spec_dict["components"]["parameters"]
    tried = 0
    for template, operations in spec_dict["paths"].items():
        path = "/api/v1" + template.replace("{id}", "1")
        for parameter in operations["get"]["parameters"]:
            if "$ref" in parameter:
                parameter = shared[parameter["$ref"].rsplit("/", 1)[1]]
            if parameter["in"] != "query" or parameter["name"] in ("cursor", "limit"):
                continue
            name = parameter["name"]
            good, bad = _valid_and_invalid(parameter["schema"])
            read = await client.get(path, params={name: good})
            assert read.status_code == 200, (path, name, read.text)
            _check(spec, path, {name: good}, read)
            refused = await client.get(path, params={name: bad})
            assert refused.status_code == 400, (path, name, bad)
            assert refused.json()["error"]["parameter"] == name
            assert refused.json()["error"]["code"] == "bad_parameter"
            assert name in refused.json()["error"]["message"]
            _check(spec, path, {name: bad}, refused)
            tried += 1
        unknown = await client.get(path, params={"filtre": "1"})
        if path.endswith("/1") and unknown.status_code == 404:
            continue  # an item address whose id 1 does not exist here
        assert unknown.status_code == 400, path
        error = unknown.json()["error"]
        assert (error["code"], error["parameter"]) == ("unknown_parameter", "filtre")
        assert "filtre" in error["message"]
        _check(spec, path, {"filtre": "1"}, unknown)
    assert tried >= 14  # guards the walk: the filters of proposals, projects, spaces...
    french = await client.get("/api/v1/proposals", params={"state": "brouillon"})
    assert french.json()["error"]["message"].startswith("Le paramètre state doit être")


async def test_filters_narrow_each_collection(app: Any, settings: Settings, citizen: User) -> None:
    budget, projects, _ = await published_budget(settings)
    other = await Budget.create(title="Budget 2027", total_amount=1000, phase=Phase.SUBMISSION)
    other_project = await Project.create(
        budget_id=other.id, title="Un banc", description="", cost=100
    )
    space = await Space.create(
        title="Quartier nord", slug="nord", starts_at=datetime(2026, 1, 1, tzinfo=UTC),
        published=True,
    )  # fmt: skip
    await Budget.filter(id=other.id).update(space_id=space.id)
    first = await make_proposal(citizen, title="Première")
    done = await make_proposal(citizen, state=ProposalState.DONE, title="Réalisée")
    elsewhere = await make_proposal(citizen, title="Ailleurs")
    box = await ideas_box(space)
    await Proposal.filter(id=done.id).update(collection_id=box.id)
    north = await District.create(name="Nord", slug="nord")
    await Proposal.filter(id=elsewhere.id).update(district_id=north.id)
    await Proposal.filter(id=first.id).update(published_at=datetime(2025, 1, 1, tzinfo=UTC))
    on_first = await Comment.create(proposal_id=first.id, author_id=citizen.id, body="Oui")
    await Comment.create(proposal_id=done.id, author_id=citizen.id, body="Bravo")

    async def ids(path: str, **params: str) -> list[Any]:
        response = await client.get(path, params=params)
        assert response.status_code == 200, response.text
        return [i.get("id", i.get("project_id")) for i in response.json()["data"]]

    async with logged_in(app, citizen) as client:
        assert await ids("/api/v1/proposals", state="done") == [done.id]
        assert await ids("/api/v1/proposals", district="Nord") == [elsewhere.id]
        assert await ids("/api/v1/proposals", district="Nord", state="done") == []
        assert await ids("/api/v1/proposals", district="x" * 100, category="y" * 100) == []
        assert await ids("/api/v1/projects", district="x" * 100) == []
        assert await ids("/api/v1/proposals", category="Mobilité") == [
            first.id, done.id, elsewhere.id
        ]  # fmt: skip
        assert await ids("/api/v1/proposals", published_since="2026-01-01") == [
            done.id, elsewhere.id
        ]  # fmt: skip
        assert await ids("/api/v1/proposals", collection=str(box.id)) == [done.id]
        item = (await client.get(f"/api/v1/proposals/{done.id}")).json()["data"]
        assert (item["collection"], item["space_id"]) == (box.title, box.space_id)
        assert await ids("/api/v1/comments", proposal_id=str(first.id)) == [on_first.id]
        assert await ids("/api/v1/comments", target_kind="proposal", target_id=str(first.id)) == [
            on_first.id
        ]
        assert await ids("/api/v1/comments", target_kind="meeting") == []
        assert await ids("/api/v1/comments", target_kind="petition") == []  # no such kind
        refused = await client.get("/api/v1/comments", params={"target_kind": "x" * 33})
        assert refused.status_code == 400
        assert refused.json()["error"]["parameter"] == "target_kind"
        assert await ids("/api/v1/projects", budget_id=str(other.id)) == [other_project.id]
        assert set(await ids("/api/v1/projects", budget_id=str(budget.id))) == {
            p.id for p in projects.values()
        }
        assert await ids("/api/v1/budgets", space_id=str(space.id)) == [other.id]
        assert await ids("/api/v1/budget_results", budget_id=str(other.id)) == []
        assert set(await ids("/api/v1/budget_results", budget_id=str(budget.id))) == {
            p.id for p in projects.values()
        }
        assert await ids("/api/v1/ballots", budget_id=str(other.id)) == []
        # a filter and a cursor together: the next page of the same narrowed walk
        page = (
            await client.get("/api/v1/proposals", params={"limit": "1", "category": "Mobilité"})
        ).json()
        rest = await ids("/api/v1/proposals", category="Mobilité", cursor=page["next_cursor"])
        assert rest == [done.id, elsewhere.id]
        no_items = await client.get(f"/api/v1/ballots/{budget.id}")
        assert no_items.status_code == 404 and no_items.json()["error"]["code"] == "not_found"


async def test_updated_since_finds_rows_moved_by_plain_updates(
    client: httpx.AsyncClient, settings: Settings, citizen: User, moderator: User
) -> None:
    """A re-user reads what changed since a moment: a proposal approved by moderation and a
    comment edited, both written by queryset UPDATEs that never call save(), come back (the
    trigger of participation/touch.py); a row changed in a column the API does not show
    (a comment's votes) and rows left alone do not."""
    from moderation import services as moderation_services
    from moderation.models import ModerationCase
    from participation.comments import services as comment_services

    pending = await make_proposal(citizen, title="En attente")
    pending.moderation_state = ModerationState.PENDING
    await pending.save()
    untouched = await make_proposal(citizen, title="Inchangée")
    await moderation_services.open_pending_case("proposal", pending.id, citizen.id)
    edited = await Comment.create(proposal_id=untouched.id, author_id=citizen.id, body="Oui")
    voted = await Comment.create(proposal_id=untouched.id, author_id=citizen.id, body="Non")
    long_ago = datetime(2025, 1, 1, tzinfo=UTC)  # updated_at alone: fires no trigger
    await Proposal.all().update(updated_at=long_ago)
    await Comment.all().update(updated_at=long_ago)
    since = datetime.now(UTC)

    case = await ModerationCase.get(target_kind="proposal", target_id=pending.id)
    await moderation_services.decide(settings, moderator, [case.id], "approve", "Conforme.")
    await comment_services.edit(settings, edited, citizen, "Oui, vraiment")
    await Comment.filter(id=voted.id).update(upvotes=3)

    async def changed(path: str) -> list[dict[str, Any]]:
        response = await client.get(path, params={"updated_since": since.isoformat()})
        assert response.status_code == 200, response.text
        return response.json()["data"]

    proposals = await changed("/api/v1/proposals")
    assert [p["id"] for p in proposals] == [pending.id]
    assert datetime.fromisoformat(proposals[0]["updated_at"]) >= since.replace(microsecond=0)
    assert [c["id"] for c in await changed("/api/v1/comments")] == [edited.id]
    every = (await client.get("/api/v1/proposals")).json()["data"]
    assert {p["id"] for p in every} == {pending.id, untouched.id}
    assert {p["updated_at"] for p in every if p["id"] == untouched.id} == {"2025-01-01T00:00:00Z"}
