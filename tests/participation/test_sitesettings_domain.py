"""The settings' pure rules (participation/sitesettings/domain.py): WCAG contrast, colours,
ranges, the form read into values (all wrong fields at once)."""

from __future__ import annotations

import pytest

from participation.ratelimit import LIMITS
from participation.sitesettings.domain import (
    DARK_BACKGROUNDS,
    SettingsForm,
    colour_problem,
    contrast_ratio,
    dark_variant,
    normalize_colour,
    parse_settings,
)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#000091", "#ffffff", 14.91),  # the default primary colour (DSFR's blue France)
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes AA on white
        ("#777777", "#ffffff", 4.48),  # one step lighter: fails
        ("#ff0000", "#ffffff", 4.0),
    ],
)
def test_contrast_ratio_follows_wcag(first: str, second: str, expected: float) -> None:
    assert contrast_ratio(first, second) == pytest.approx(expected, abs=0.01)
    assert contrast_ratio(second, first) == pytest.approx(expected, abs=0.01)  # symmetric


@pytest.mark.parametrize(
    ("typed", "colour", "accepted"),
    [
        ("#000091", "#000091", True),
        ("#18753C", "#18753c", True),  # upper case
        (" 000091 ", "#000091", True),  # without # nor spaces
        ("#009", "#000099", True),  # three digits
        ("#767676", "#767676", False),  # 4.54 on white but 4.2 on the surface (#f6f6f6)
        ("#6a6a6a", "#6a6a6a", True),
        ("#ff0000", "#ff0000", False),  # 4.0: white text on red is too faint
        ("#ffff00", "#ffff00", False),
        ("#ffffff", "#ffffff", False),
        ("red", "#red", False),
        ("#12345g", "#12345g", False),
        ("#0000911", "#0000911", False),
        ("", "#", False),
        ("#000091;}body{", "#000091;}body{", False),  # no CSS smuggled into the stylesheet
    ],
)
def test_the_primary_colour_must_read_well_with_white_text_and_on_the_backgrounds(
    typed: str, colour: str, accepted: bool
) -> None:
    assert normalize_colour(typed) == colour
    assert (colour_problem(colour) is None) is accepted


def test_the_dark_mode_colour_keeps_the_hue_and_reads_on_every_dark_background() -> None:
    # the darkest and the lightest accepted colours, a red and a green: AA in dark mode too
    for colour in ("#000000", "#000091", "#6a6a6a", "#ce0500", "#18753c"):
        dark = dark_variant(colour)
        assert min(contrast_ratio(dark, d) for d in DARK_BACKGROUNDS) >= 4.5, (colour, dark)
    assert dark_variant("#000091") == "#9999d3"  # app.css's dark default, lightened blue
    assert dark_variant("#ffffff") == "#ffffff"


def test_a_too_light_colour_says_its_contrast() -> None:
    problem = colour_problem("#ff0000")
    assert problem is not None and problem.field == "primary_colour"
    assert problem.values == {"ratio": 3.7}  # against the surface of boxes (#f5f5fe)


def form(**changes: object) -> SettingsForm:
    fields: dict[str, object] = {
        "site_name": "Ville de Test",
        "contact_email": "Mairie@Example.fr",
        "default_language": "fr",
        "primary_colour": "#000091",
        "proposal_support_threshold": "300",
        "moderation_report_threshold": "3",
        "premoderated_content": ("proposal",),
        "rate_limited_actions": ("comment", "signup"),
        "base_version": "0",
    }
    fields.update(changes)
    return SettingsForm(**fields)  # type: ignore[arg-type]


def test_a_good_form_gives_its_values() -> None:
    values, problems = parse_settings(form(site_name="  Ville   de Test "), LIMITS)
    assert problems == [] and values is not None
    assert values.site_name == "Ville de Test"
    assert values.contact_email == "mairie@example.fr"
    assert values.proposal_support_threshold == 300
    assert values.premoderated_content == frozenset({"proposal"})
    assert values.rate_limited_actions == frozenset({"comment", "signup"})


@pytest.mark.parametrize(
    ("threshold", "accepted"),
    [
        ("1", True),
        ("2", True),
        ("1000000", True),
        ("1 000", True),  # typed with a space, as the French write thousands
        ("1\u202f000", True),
        ("0", False),
        ("-1", False),
        ("1000001", False),
        ("1000000000", False),  # 10^9
        ("99999999999999999999999", False),
        ("2.5", False),
        ("", False),
        ("deux", False),
        ("٣", False),  # a digit, but not ASCII
    ],
)
def test_thresholds_are_whole_numbers_from_1_to_a_million(threshold: str, accepted: bool) -> None:
    for name in ("proposal_support_threshold", "moderation_report_threshold"):
        values, problems = parse_settings(form(**{name: threshold}), LIMITS)
        assert (values is not None) is accepted
        assert [p.field for p in problems] == ([] if accepted else [name])


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"site_name": "   "}, ["site_name"]),
        ({"site_name": "x" * 81}, ["site_name"]),
        ({"contact_email": "pas une adresse"}, ["contact_email"]),
        ({"contact_email": ""}, []),  # optional
        ({"default_language": "de"}, ["default_language"]),
        ({"premoderated_content": ("proposal", "ballot")}, ["premoderated_content"]),
        ({"rate_limited_actions": ("vote",)}, ["rate_limited_actions"]),
        ({"base_version": ""}, ["form"]),
        ({"base_version": "1; DROP"}, ["form"]),
        (
            {"site_name": "", "proposal_support_threshold": "0", "primary_colour": "#ffff00"},
            ["site_name", "proposal_support_threshold", "primary_colour"],
        ),
    ],
)
def test_every_wrong_field_is_named_at_once(changes: dict[str, object], fields: list[str]) -> None:
    values, problems = parse_settings(form(**changes), LIMITS)
    assert [p.field for p in problems] == fields
    assert (values is None) is bool(fields)
