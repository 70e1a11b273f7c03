"""The home page's « how to take part in three steps » (issue #22): an ordered list of three
steps, each with its link, the first one's links following who reads it."""

from __future__ import annotations

import re

import httpx

from participation.accounts.models import User
from tests.conftest import logged_in


def steps_of(page: str) -> list[str]:
    listing = page.split('<ol class="steps">', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<li class="step">(.*?)</li>\s*(?=<li class="step">|$)', listing, re.S)


async def test_a_visitor_reads_how_to_take_part_in_three_steps(client: httpx.AsyncClient) -> None:
    page = (await client.get("/", headers={"Accept-Language": "fr"})).text
    assert '<h2 id="how-to-take-part">Participer en trois étapes</h2>' in page
    first, second, third = steps_of(page)
    assert "Créez votre compte et confirmez que vous habitez la commune" in first
    assert 'href="/account/signup">Créer mon compte</a>' in first
    assert 'href="/account/login">J’ai déjà un compte\u00a0: me connecter</a>' in first
    assert "Choisissez une démarche" in second
    assert 'href="/demarches">Voir les démarches</a>' in second
    assert "Participez" in third and "proposez, soutenez, répondez, votez" in third
    for link in ("/proposals", "/consultations", "/budgets"):
        assert f'href="{link}"' in third
    assert "<h2>Comment participer</h2>" not in page  # the three boxes it replaced


async def test_a_signed_in_person_is_sent_to_confirm_where_they_live(
    app: object, citizen: User
) -> None:
    async with logged_in(app, citizen) as person:
        page = (await person.get("/", headers={"Accept-Language": "fr"})).text
    first = steps_of(page)[0]
    assert 'href="/account/verification">Confirmez que vous habitez la commune</a>' in first
    assert "/account/signup" not in first
