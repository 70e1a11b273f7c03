"""Pure rules, without HTTP or database: state machine, diffs, sanitizer, comment rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from participation.comments import domain as comments
from participation.proposals.domain import (
    TRANSITIONS,
    Actor,
    DomainError,
    ProposalState,
    check_transition,
    parse_coordinate,
    threshold_crossed,
    word_diff,
)
from participation.richtext import (
    ALLOW_LIST_VERSION,
    normalize_for_search,
    render,
    sanitize,
    stored_again,
    to_text,
)
from tests.security.xss import PAYLOADS, all_payloads, injected_markup

S = ProposalState


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
@pytest.mark.parametrize("actor", list(Actor))
def test_only_listed_transitions_by_the_listed_actor(current: S, target: S, actor: Actor) -> None:
    if TRANSITIONS.get((current, target)) == actor:
        check_transition(current, target, actor)
    else:
        with pytest.raises(DomainError):
            check_transition(current, target, actor)


def test_final_states_are_final() -> None:
    for final in (S.REFUSED, S.DONE, S.WITHDRAWN):
        assert not [t for (f, t) in TRANSITIONS if f == final]


def test_threshold() -> None:
    assert threshold_crossed(S.PUBLISHED, 300, 300)
    assert not threshold_crossed(S.PUBLISHED, 299, 300)
    assert not threshold_crossed(S.UNDER_ANALYSIS, 500, 300)


def test_word_diff_is_readable() -> None:
    parts = word_diff("Planter des arbres rue Nationale", "Planter vingt arbres rue Nationale")
    assert [(p.op, p.text) for p in parts] == [
        ("same", "Planter"),
        ("removed", "des"),
        ("added", "vingt"),
        ("same", "arbres rue Nationale"),
    ]


def test_sanitizer() -> None:
    assert sanitize("Bonjour\n\nDeux paragraphes\net une ligne") == (
        "<p>Bonjour</p><p>Deux paragraphes<br>et une ligne</p>"
    )
    assert sanitize("a < b & c") == "<p>a &lt; b &amp; c</p>"
    dirty = '<p style="x" hx-post="/y">Texte <iframe src=x></iframe><b>gras</b></p>'
    assert sanitize(dirty) == "<p>Texte gras</p>"
    assert to_text("<p>Un</p><ul><li>deux</li></ul>") == "Un\ndeux"
    # an empty text (most official answers) is returned at once, as the parser would
    assert to_text("") == "" and to_text("<p></p>") == "" and to_text(" ") == ""


@pytest.mark.parametrize(
    "typed",
    [
        *PAYLOADS,
        all_payloads(),
        "Voir example.org et https://www.ville.fr/parcs?a=1&b=2",
        '<a href="https://ex.org" title="t" rel="x">lien</a> <em>doux</em>',
        "<ul><li>un</li><li>deux<br>trois</li></ul><blockquote>cité</blockquote>",
        "a < b & c \u00a0« guillemets »",
    ],
)
def test_text_sanitised_on_write_shows_as_bleach_would_show_it(typed: str) -> None:
    """Comments and proposals are shown as stored, without bleach (issue #23): what their
    services store must be what cleaning it again on output showed, payloads included."""
    stored = sanitize(typed)
    assert stored_again(stored) == stored
    assert render(stored, ALLOW_LIST_VERSION) == stored
    assert not injected_markup(stored)
    # a row that does not say the current version: its words only, inert, without bleach
    assert not injected_markup(render(stored)) and "<a " not in render(stored)


def test_search_normalization() -> None:
    assert normalize_for_search("  Élagage des ARBRES, cœur ") == "elagage des arbres, coeur"


def test_comment_rules() -> None:
    author = SimpleNamespace(id=1, is_authenticated=True, is_moderator=False)
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    assert comments.can_edit(author, 1, now - timedelta(minutes=15), False, now)
    assert not comments.can_edit(author, 1, now - timedelta(minutes=16), False, now)
    assert not comments.can_edit(author, 2, now, False, now)
    assert comments.reply_depth(None) == 0 and comments.reply_depth(1) == 2
    with pytest.raises(ValueError):
        comments.reply_depth(2)
    assert comments.vote_change(None, 1) == (1, 1, 0)
    assert comments.vote_change(1, 1) == (None, -1, 0)
    assert comments.vote_change(1, -1) == (-1, -1, 1)


def test_thread_building() -> None:
    rows = [SimpleNamespace(id=i, parent_id=p) for i, p in [(1, None), (2, 1), (3, 2), (4, None)]]
    roots = comments.build_thread(rows)
    assert [n.comment.id for n in roots] == [1, 4]
    assert roots[0].children[0].children[0].comment.id == 3


def test_a_visitors_random_order_never_looks_sorted() -> None:
    """The random order is (id × a + b) mod M: with a small multiplier (or one close to M),
    consecutive ids kept their order, and about one visitor in 20 saw the newest proposals in
    plain ascending or descending order (the same SQL expression, computed here)."""
    from participation.proposals.queries import SHUFFLE_MODULUS, new_seed

    for _ in range(500):
        a, b = new_seed()
        first_page = sorted(range(1, 31), key=lambda i: ((i * a + b) % SHUFFLE_MODULUS, i))[:20]
        assert first_page not in (sorted(first_page), sorted(first_page, reverse=True)), (a, b)


@pytest.mark.parametrize(
    ("raw", "limit", "parsed"),
    [
        ("", 90, None),
        ("  ", 90, None),
        ("47.2", 90, 47.2),
        (" 47,2 ", 90, 47.2),
        ("-90", 90, -90.0),
        ("90.5", 90, "bad"),
        ("-180.1", 180, "bad"),
        ("179.9", 180, 179.9),
        ("nord", 90, "bad"),
        ("inf", 180, "bad"),
        ("nan", 90, "bad"),
    ],
)
def test_a_coordinate_is_a_number_within_its_limit(
    raw: str, limit: float, parsed: float | None | str
) -> None:
    assert parse_coordinate(raw, limit) == parsed
