"""The account page's pure rules, as tables: where each kind of notification goes, the
preferences form, the digest's grouping, the one-click unsubscribe token, e-mail and password
changes, unlinking a provider, and the activity's pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from oidc.domain import may_unlink
from participation.accounts.activity import merged_page, page_number
from participation.accounts.domain import (
    ERASED_PASSWORD_HASH,
    email_change_problems,
    has_password,
    password_change_problems,
)
from participation.features import ActivityItem
from participation.notifications.preferences import (
    DIGEST_KIND,
    Channel,
    DigestLine,
    after_unsubscribe,
    channel_for,
    digest_groups,
    parse_choices,
    read_unsubscribe_token,
    stored_changes,
    unsubscribe_token,
)

KINDS = ["comment", "reply", "meetings_cancelled"]
SECRET = "a-secret-key"


@pytest.mark.parametrize(
    ("kind", "chosen", "channel"),
    [
        ("comment", {}, Channel.EMAIL),  # nobody chose: the e-mail it always sent
        ("comment", {"comment": "digest"}, Channel.DIGEST),
        ("comment", {"comment": "never"}, Channel.NEVER),
        ("comment", {"reply": "never"}, Channel.EMAIL),  # another kind's choice
        ("comment", {"comment": "sms"}, Channel.EMAIL),  # a value no longer known: the default
    ],
)
def test_where_a_kind_goes(kind: str, chosen: dict[str, str], channel: Channel) -> None:
    assert channel_for(kind, chosen) == channel


@pytest.mark.parametrize(
    ("form", "choices", "problems"),
    [
        ({}, dict.fromkeys(KINDS, Channel.EMAIL), set()),
        (
            {"kind-comment": "digest", "kind-reply": "never", "kind-meetings_cancelled": "email"},
            {"comment": "digest", "reply": "never", "meetings_cancelled": "email"},
            set(),
        ),
        (
            {"kind-comment": "sms"},
            {"reply": "email", "meetings_cancelled": "email"},
            {"kind-comment"},
        ),
        ({"kind-unknown": "never"}, dict.fromkeys(KINDS, Channel.EMAIL), set()),  # ignored
    ],
)
def test_the_preferences_form(
    form: dict[str, str], choices: dict[str, str], problems: set[str]
) -> None:
    parsed, found = parse_choices(form, KINDS)
    assert parsed == choices and set(found) == problems


def test_only_choices_away_from_the_default_are_stored() -> None:
    keep, back = stored_changes(
        {"comment": Channel.DIGEST, "reply": Channel.EMAIL, "meetings_cancelled": Channel.NEVER}
    )
    assert keep == {"comment": Channel.DIGEST, "meetings_cancelled": Channel.NEVER}
    assert back == ["reply"]


@pytest.mark.parametrize(
    ("kind", "chosen", "stopped"),
    [
        ("comment", {}, ["comment"]),
        ("reply", {"comment": "digest"}, ["reply"]),
        (DIGEST_KIND, {"comment": "digest", "reply": "digest"}, ["comment", "reply"]),
        (DIGEST_KIND, {"comment": "never"}, []),  # nothing goes to a digest any more
    ],
)
def test_what_a_one_click_unsubscribe_stops(
    kind: str, chosen: dict[str, str], stopped: list[str]
) -> None:
    assert after_unsubscribe(kind, chosen, KINDS) == stopped


AT = datetime(2026, 12, 6, 8, tzinfo=UTC)


def _line(kind: str, minutes: int, text: str) -> DigestLine:
    return DigestLine(kind, AT + timedelta(minutes=minutes), text, f"/p/{text}")


@pytest.mark.parametrize(
    ("lines", "grouped"),
    [
        ([], []),
        (
            # kinds in the app's order (comment before reply), oldest first inside a kind
            [_line("reply", 1, "r1"), _line("comment", 5, "c2"), _line("comment", 2, "c1")],
            [("comment", ["c1", "c2"]), ("reply", ["r1"])],
        ),
        (
            # a kind the app no longer knows comes last; the same line is said once
            [_line("gone", 0, "g"), _line("reply", 3, "r"), _line("reply", 4, "r")],
            [("reply", ["r"]), ("gone", ["g"])],
        ),
    ],
)
def test_a_digest_groups_by_kind(
    lines: list[DigestLine], grouped: list[tuple[str, list[str]]]
) -> None:
    result = digest_groups(lines, KINDS)
    assert [(kind, [line.text for line in group]) for kind, group in result] == grouped


def _token(secret: str = SECRET, user: int = 7, kind: str = "comment") -> str:
    return unsubscribe_token(secret, user, kind)


NOW = datetime.now(UTC).timestamp()
YEAR = 365 * 24 * 3600


@pytest.mark.parametrize(
    ("token", "now", "found"),
    [
        (_token(), NOW, (7, "comment")),
        (_token(kind=DIGEST_KIND), NOW, (7, DIGEST_KIND)),
        (_token(secret="another-key"), NOW, None),  # forged: signed with another key
        (_token()[:-2] + "xx", NOW, None),  # tampered
        (_token().replace(".", "", 1), NOW, None),  # not a token at all
        (_token(kind="a_kind_that_left"), NOW, None),  # no such kind any more
        (_token(), NOW + YEAR + 60, None),  # older than a year
        (_token(), NOW + YEAR - 60, (7, "comment")),
        ("", NOW, None),
    ],
)
def test_unsubscribe_tokens(token: str, now: float, found: tuple[int, str] | None) -> None:
    assert read_unsubscribe_token(SECRET, token, KINDS, now=now) == found


def test_an_unsubscribe_token_names_one_person_and_one_kind() -> None:
    # another person's id cannot be put in a token: the signature covers it
    token = _token(user=7)
    payload, _, signature = token.rpartition(".")
    forged = _token(user=8).rpartition(".")[0] + "." + signature
    assert read_unsubscribe_token(SECRET, forged, KINDS) is None
    assert read_unsubscribe_token(SECRET, token, KINDS) == (7, "comment")


@pytest.mark.parametrize(
    ("new", "current", "problem"),
    [
        ("nouvelle@example.org", "ancienne@example.org", None),
        (" Nouvelle@Example.org ", "ancienne@example.org", None),
        ("", "ancienne@example.org", "Enter your e-mail address."),
        ("pas une adresse", "ancienne@example.org", "Enter a valid e-mail address"),
        ("Ancienne@Example.org", "ancienne@example.org", "This is already your e-mail address."),
    ],
)
def test_a_new_email_address(new: str, current: str, problem: str | None) -> None:
    problems = email_change_problems(new, current)
    if problem is None:
        assert problems == {}
    else:
        assert problems["new_email"].startswith(problem)


GOOD = "trois pommes vertes"


@pytest.mark.parametrize(
    ("has", "right", "new", "again", "fields"),
    [
        (True, True, GOOD, GOOD, set()),
        (True, False, GOOD, GOOD, {"current_password"}),
        (False, False, GOOD, GOOD, set()),  # made through a provider: no current password
        (True, True, "court", "court", {"new_password"}),
        (True, True, GOOD, GOOD + "!", {"new_password_confirmation"}),
        (True, False, "azertyuiop", "azertyuiop", {"current_password", "new_password"}),
        (True, True, "camille dupont 42", "camille dupont 42", {"new_password"}),  # the name
    ],
)
def test_a_new_password(has: bool, right: bool, new: str, again: str, fields: set[str]) -> None:
    problems = password_change_problems(has, right, new, again, "c@example.org", "Camille Dupont")
    assert set(problems) == fields


@pytest.mark.parametrize(
    ("password_hash", "expected"),
    [("$argon2id$v=19$...", True), ("", False), (ERASED_PASSWORD_HASH, False)],
)
def test_has_password(password_hash: str, expected: bool) -> None:
    assert has_password(password_hash) is expected


@pytest.mark.parametrize(
    ("password", "others", "allowed"),
    [(True, 0, True), (False, 1, True), (False, 0, False), (True, 2, True)],
)
def test_a_provider_may_be_unlinked_if_a_way_to_log_in_stays(
    password: bool, others: int, allowed: bool
) -> None:
    assert may_unlink(password, others) is allowed


def _items(prefix: str, minutes: list[int]) -> list[ActivityItem]:
    return [
        ActivityItem(AT + timedelta(minutes=m), "Proposal", f"{prefix}{m}", "/") for m in minutes
    ]


@pytest.mark.parametrize(
    ("page", "titles", "more"),
    [
        (1, ["a9", "b8"], True),
        (2, ["a7", "b6"], True),
        (3, ["a5"], False),
        (4, [], False),
    ],
)
def test_activity_pages_merge_the_features_newest_first(
    page: int, titles: list[str], more: bool
) -> None:
    lists = [_items("a", [9, 7, 5]), _items("b", [8, 6])]
    items, has_next = merged_page(lists, page, size=2)
    assert [item.title for item in items] == titles and has_next is more


@pytest.mark.parametrize(
    ("raw", "page"),
    [
        (None, 1),
        ("", 1),
        ("3", 3),
        ("0", 1),
        ("-2", 1),
        ("abc", 1),
        ("99999", 1),
        ("999", 500),
        ("²", 1),  # a digit to str.isdigit, not to int()
        ("٣", 1),
    ],
)
def test_activity_page_number(raw: str | None, page: int) -> None:
    assert page_number(raw) == page
