"""Content pages (issue #18): public at their French addresses and linked from every page's
footer; staff edit them with a version check, history and restore, every change audited; the
conditions of use accepted at sign-up and again at sign-in when they changed."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest

from participation import demo
from participation.accounts.models import Role, User
from participation.audit import AuditLogEntry
from participation.settings import Settings
from participation.sitepages import services as sitepages
from participation.sitepages.domain import PAGES
from participation.sitepages.models import SitePage, SitePageVersion
from tests.conftest import TEST_PASSWORD, create_user, csrf_token, log_in, logged_in, post_form

# as in test_pagecache.py: a stored copy never expires by the clock during a test, so a page
# seen fresh after an edit was dropped by the edit itself
pytestmark = pytest.mark.settings(PAGE_CACHE_SECONDS="86400")
ADDRESSES = ["/mentions-legales", "/accessibilite", "/donnees-personnelles",
             "/conditions-utilisation", "/aide"]  # fmt: skip


def visitor(app: Any, language: str = "fr") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    headers = {"Accept-Language": language}
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers)


async def _edit(client: httpx.AsyncClient, slug: str, **fields: str) -> httpx.Response:
    page = await client.get(f"/admin/pages/{slug}")
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version, page.text
    data = {"version": version.group(1), "body_en": "", **fields}
    return await post_form(client, f"/admin/pages/{slug}", data, page=f"/admin/pages/{slug}")


async def test_every_page_answers_at_its_french_address_linked_from_every_footer(
    app: Any,
) -> None:
    assert [f"/{page.slug}" for page in PAGES] == ADDRESSES
    async with visitor(app) as person:
        home = (await person.get("/")).text
        footer = home[home.index('<footer class="site-footer"') :]
        for address in ADDRESSES:
            assert f'href="{address}"' in footer
        assert "Accessibilité\u00a0: non conforme" in footer  # the RGAA's wording
        accessibility = await person.get("/accessibilite")
        privacy = await person.get("/donnees-personnelles")
        for address in ADDRESSES:
            assert (await person.get(address)).status_code == 200
    # the defaults: the statement and the record of processing of docs/, never edited yet
    assert "<h1>Accessibilité</h1>" in accessibility.text
    assert "<h2>État de conformité</h2>" in accessibility.text
    assert "Version 1" in accessibility.text
    assert "<h3>Finalités et bases légales</h3>" in privacy.text


@pytest.mark.settings(ACCESSIBILITY_COMPLIANCE="partial")
async def test_the_footer_says_how_far_the_site_conforms(app: Any) -> None:
    async with visitor(app) as person, visitor(app, "en") as reader:
        assert "Accessibilité\u00a0: partiellement conforme" in (await person.get("/aide")).text
        assert "Accessibility: partially compliant" in (await reader.get("/aide")).text


async def test_english_readers_get_english_titles_and_the_english_text_when_there_is_one(
    app: Any,
) -> None:
    async with visitor(app, "en") as reader:
        privacy = (await reader.get("/donnees-personnelles")).text
        accessibility = (await reader.get("/accessibilite")).text
    assert "<h1>Personal data</h1>" in privacy and "Purposes and legal basis" in privacy
    assert "available in French only" not in privacy
    # no English statement: the French one, marked as French for screen readers
    assert "<h1>Accessibility</h1>" in accessibility
    assert "This page is available in French only." in accessibility
    assert '<div class="page-text" lang="fr">' in accessibility


async def test_staff_edit_shows_at_once_to_visitors_with_its_history_and_audit(
    app: Any, admin: User
) -> None:
    async with visitor(app) as person:
        assert "Mairie de Villebelle" not in (await person.get("/mentions-legales")).text
        async with logged_in(app, admin) as staff:
            text = "<h2>Éditeur</h2><p>Mairie de Villebelle<script>alert(1)</script></p>"
            response = await _edit(staff, "mentions-legales", body_fr=text)
            assert response.status_code == 303
            landing = await staff.get(response.headers["location"])
            assert "La version 2 est publiée." in landing.text
            history = (await staff.get("/admin/pages/mentions-legales/history")).text
            first = (await staff.get("/admin/pages/mentions-legales/history/1")).text
        public = (await person.get("/mentions-legales")).text  # the visitor's copy was dropped
    assert "<h2>Éditeur</h2><p>Mairie de Villebelle" in public
    assert "<script>" not in public  # sanitized: the tag is gone, its text left inert
    assert "Version 2, mise à jour le" in public
    assert "Lire la version 2" in history and "Lire la version 1" in history
    assert admin.display_name in history and "texte par défaut" in history
    assert "Directeur ou directrice de la publication" in first  # version 1 is the default
    [entry] = await AuditLogEntry.filter(action="site_page_edit")
    assert entry.actor_id == admin.id and entry.target_kind == "site_page"
    assert '"version": 2' in entry.after and '"version": 1' in entry.before


async def test_a_table_stacks_on_the_page_and_staff_edit_it_as_they_wrote_it(
    app: Any, admin: User
) -> None:
    """Stored as shown (issue #21): the page's table stacks on phones (the class and each cell's
    column name, added on save); the edit form shows the text without them, and saving it
    unchanged publishes nothing."""
    table = (
        '<table><thead><tr><th scope="col">Donnée</th></tr></thead>'
        "<tbody><tr><td>E-mail</td></tr></tbody></table>"
    )
    async with logged_in(app, admin) as staff:
        assert (await _edit(staff, "aide", body_fr=table)).status_code == 303
        public = (await staff.get("/aide")).text
        form = (await staff.get("/admin/pages/aide")).text
        source = re.search(r'<textarea[^>]*name="body_fr"[^>]*>([^<]*)</textarea>', form)
        assert source is not None
        again = await _edit(staff, "aide", body_fr=html.unescape(source.group(1)))
        landing = (await staff.get(again.headers["location"])).text
    assert '<table class="stack">' in public and '<td data-label="Donnée">E-mail</td>' in public
    assert html.unescape(source.group(1)).strip() == table
    assert "Rien n’a changé" in landing
    assert await SitePageVersion.filter(version=3).count() == 0


async def test_a_refused_edit_says_why_on_the_field_and_writes_nothing(
    app: Any, admin: User
) -> None:
    async with logged_in(app, admin) as staff:
        response = await _edit(staff, "aide", body_fr="   ")
        tampered = await post_form(staff, "/admin/pages/aide", {"body_fr": "Un texte"})
        unknown = await staff.get("/admin/pages/inconnue")
    assert response.status_code == 422
    assert "Écrivez le texte de la page en français." in response.text
    assert re.search(r'<textarea id="body_fr"[^>]*aria-invalid="true"', response.text)
    assert tampered.status_code == 422 and "Le formulaire est incomplet" in tampered.text
    assert unknown.status_code == 404
    assert not await SitePage.exists() and not await AuditLogEntry.exists()


async def test_the_second_of_two_editors_is_told_and_loses_nothing(
    app: Any, settings: Settings, admin: User
) -> None:
    other = await create_user(settings, "agent@example.org", Role.ADMIN, display_name="Agent B")
    async with logged_in(app, admin) as first, logged_in(app, other) as second:
        # both open the page at version 1, the first saves
        opened = await second.get("/admin/pages/aide")
        assert 'name="version" value="1"' in opened.text
        assert (await _edit(first, "aide", body_fr="Texte de la première")).status_code == 303
        token = await csrf_token(second)
        data = {"version": "1", "body_fr": "Texte de la seconde", "csrf_token": token}
        late = await second.post("/admin/pages/aide", data=data)
        assert late.status_code == 409
        assert "a publié la version 2 pendant que vous écriviez" in late.text
        assert "Texte de la seconde" in late.text and "Texte de la première" in late.text
        assert 'name="version" value="2"' in late.text  # saving again is a deliberate choice
        assert (await SitePage.get(slug="aide")).body_fr == "<p>Texte de la première</p>"
        again = await second.post("/admin/pages/aide", data={**data, "version": "2"})
        assert again.status_code == 303
    versions = await SitePageVersion.filter(page__slug="aide").order_by("version")
    assert [(v.version, v.author_name) for v in versions] == [
        (1, ""),
        (2, admin.display_name),
        (3, "Agent B"),
    ]


async def test_restoring_an_old_version_publishes_it_as_a_new_one(app: Any, admin: User) -> None:
    async with logged_in(app, admin) as staff:
        await _edit(staff, "aide", body_fr="Texte provisoire")
        same = await _edit(staff, "aide", body_fr="Texte provisoire")  # nothing changed
        assert "Rien n’a changé" in (await staff.get(same.headers["location"])).text
        form = {"version": "2"}
        restored = await post_form(staff, "/admin/pages/aide/history/1/restore", form)
        assert restored.status_code == 303
        await staff.get(restored.headers["location"])  # as a browser does: its message shown
        stale = await post_form(staff, "/admin/pages/aide/history/2/restore", form)
        assert "rien n’a été rétabli" in (await staff.get(stale.headers["location"])).text
    page = await SitePage.get(slug="aide")
    assert page.version == 3 and "Créer un compte" in page.body_fr
    latest = await SitePageVersion.get(page_id=page.id, version=3)
    assert latest.restored_from == 1
    assert await AuditLogEntry.filter(action="site_page_restore").count() == 1


async def test_sign_up_shows_the_data_notice_and_records_the_conditions_accepted(
    client: httpx.AsyncClient,
) -> None:
    form = (await client.get("/account/signup")).text
    assert "Vos données personnelles" in form and 'href="/donnees-personnelles"' in form
    assert "J’accepte les conditions d’utilisation" in form
    data = {
        "email": "nouvelle@example.org",
        "display_name": "Nouvelle",
        "password": TEST_PASSWORD,
        "password_confirmation": TEST_PASSWORD,
    }
    refused = await post_form(client, "/account/signup", data)
    assert refused.status_code == 422
    assert "Cochez la case pour accepter les conditions d’utilisation." in refused.text
    assert re.search(r'id="accept_terms"[^>]*aria-invalid="true"', refused.text)
    assert not await User.exists(email="nouvelle@example.org")
    accepted = await post_form(client, "/account/signup", {**data, "accept_terms": "yes"})
    assert accepted.status_code == 303
    user = await User.get(email="nouvelle@example.org")
    assert user.terms_version == 1 and user.terms_accepted_at is not None


async def test_new_conditions_are_accepted_at_the_next_sign_in(
    app: Any, admin: User, citizen: User
) -> None:
    async with logged_in(app, admin) as staff:
        await _edit(staff, "conditions-utilisation", body_fr="Nouvelles conditions.")
    async with visitor(app) as person:
        login = {"email": citizen.email, "password": TEST_PASSWORD, "next": "/proposals"}
        response = await post_form(person, "/account/login", login)
        assert response.headers["location"] == "/account/conditions?next=%2Fproposals"
        page = await person.get(response.headers["location"])
        assert "Les conditions d’utilisation ont changé (version 2)" in page.text
        form = {"version": "2", "next": "/proposals"}
        refused = await post_form(person, "/account/conditions", form)
        assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
        assert (await User.get(id=citizen.id)).terms_version == 1
        done = await post_form(person, "/account/conditions", {**form, "accept_terms": "yes"})
        assert done.status_code == 303 and done.headers["location"] == "/proposals"
    assert (await User.get(id=citizen.id)).terms_version == 2
    async with visitor(app) as person:
        await log_in(person, citizen)  # accepted: no question this time
        again = await post_form(person, "/account/login", login)
        assert again.headers["location"] == "/proposals"


async def test_the_demo_town_fills_in_its_pages(app: Any, settings: Settings, admin: User) -> None:
    await sitepages.fill_demo(demo.demo_page_values(settings), admin)
    await sitepages.fill_demo(demo.demo_page_values(settings), admin)  # once only
    for page in PAGES:
        text = await sitepages.current(page.slug)
        assert text.version == 2, page.slug
        assert "[" not in text.body_fr + text.body_en, page.slug  # no placeholder left
        assert "à compléter par la collectivité" not in text.body_fr  # nor the note to staff
    async with visitor(app) as person:
        legal = (await person.get("/mentions-legales")).text
    assert "Ville de Villebelle-sur-Loire" in legal and "Claire Dubois, maire" in legal
