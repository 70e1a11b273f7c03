"""Account rules as pure functions: no HTTP, no database."""

import pytest

from participation.accounts.domain import (
    SignUpForm,
    email_problem,
    normalize_email,
    password_problem,
    sign_up_problems,
)


@pytest.mark.parametrize(
    "email", ["", "camille", "camille@", "@example.org", "ca mille@example.org", "a@b", "a@b.c."]
)
def test_invalid_email_addresses_are_refused(email: str) -> None:
    assert email_problem(email) is not None


def test_a_normal_address_is_accepted_and_lowercased() -> None:
    assert email_problem("camille.martin@mairie-villebelle.fr") is None
    assert normalize_email("  Camille@Example.ORG ") == "camille@example.org"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("court", "at least 10"),
        ("azertyuiop", "too easy"),
        ("aaaaaaaaaaaaaa", "too easy"),
        ("camille-2026-vote", "must not contain"),
        ("x" * 201, "at most 200"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, reason: str) -> None:
    problem = password_problem(password, "camille@example.org", "Camille")
    assert problem is not None and reason in problem


def test_a_passphrase_is_accepted() -> None:
    assert (
        password_problem("trois pommes vertes au marché", "camille@example.org", "Camille") is None
    )


def test_sign_up_reports_every_wrong_field_at_once() -> None:
    form = SignUpForm(email="nope", display_name="", password="short", password_confirmation="")
    assert set(sign_up_problems(form)) == {"email", "display_name", "password", "accept_terms"}


def test_mismatched_confirmation_is_reported_on_its_own_field() -> None:
    form = SignUpForm(
        "c@example.org", "Camille", "trois pommes vertes", "trois pommes rouges", accepts_terms=True
    )
    assert sign_up_problems(form) == {
        "password_confirmation": "The two passwords are not the same."
    }
