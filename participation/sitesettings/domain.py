"""Pure rules of the settings staff edit in the browser: their ranges, the colour's contrast
(WCAG 2.1 AA), the form read into values. No database, no HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from participation import tiles
from participation.accounts.domain import email_problem, normalize_email
from participation.i18n import N_
from participation.refusals import Problem
from participation.settings import PREMODERATABLE, SUPPORTED_LANGUAGES

THRESHOLD_MAX = 1_000_000  # supports or reports: more is a typing mistake
SITE_NAME_MAX = 80
DEFAULT_COLOUR = "#000091"  # static/css/app.css's --primary
# what the primary colour is read against: the white text of buttons and the header's links,
# the page's background and the surface of boxes (static/css/app.css: --primary-text,
# --background, --surface)
PRIMARY_TEXT = "#ffffff"
BACKGROUNDS = ("#ffffff", "#f6f6f6")
# dark mode (prefers-color-scheme): the colour lightened until it reads on the dark
# backgrounds and under the dark text of buttons (--background, --surface, --primary-soft,
# --primary-text of app.css's dark tokens)
DARK_BACKGROUNDS = ("#161616", "#222226", "#262b4d")
AA_NORMAL_TEXT = 4.5  # WCAG 2.1, 1.4.3: normal text

_COLOUR = re.compile(r"#[0-9a-f]{6}")


@dataclass(frozen=True)
class SiteValues:
    """What the settings say (the database row, or the environment before any save)."""

    site_name: str
    contact_email: str
    default_language: str
    primary_colour: str
    proposal_support_threshold: int
    moderation_report_threshold: int
    premoderated_content: frozenset[str]
    rate_limited_actions: frozenset[str]
    map_tile_url: str = ""  # empty: no tiles (participation/tiles.py)
    map_tile_attribution: str = ""


# --- the maps' tiles (participation/tiles.py says what is accepted) --------------------------

TILE_MESSAGES = {
    tiles.NOT_HTTPS: N_(
        "The address of the tiles must begin with https:// (http:// only for a server on this "
        "machine), e.g. {example}"
    ),
    tiles.NO_PLACEHOLDERS: N_(
        "The address of the tiles must contain {z}, {x} and {y}, where each tile's zoom and "
        "numbers go, e.g. {example}"
    ),
    tiles.NOT_A_TEMPLATE: N_(
        "This is not an address of tiles: a server's name, then a path with {z}, {x} and {y}, "
        "without spaces, quotes or other braces, e.g. {example}"
    ),
    tiles.TOO_LONG: N_("The address of the tiles must be at most 500 characters long."),
    tiles.NO_ATTRIBUTION: N_(
        "Give the credit the tile server asks to show on the map, e.g. © OpenStreetMap "
        "contributors."
    ),
    tiles.ATTRIBUTION_TOO_LONG: N_("The credit must be at most 200 characters long."),
}
# the values the messages are formatted with: braces are format fields in messages
TILE_MESSAGE_VALUES = {"z": "{z}", "x": "{x}", "y": "{y}", "example": tiles.OSM_TILE_URL}


def tile_problems(template: str, attribution: str) -> list[Problem]:
    """The problems of the tiles' two fields, each on its field."""
    found = []
    url_code = tiles.tile_url_problem(template)
    if url_code is not None:
        found.append(Problem(TILE_MESSAGES[url_code], TILE_MESSAGE_VALUES, "map_tile_url"))
    credit_code = tiles.attribution_problem(attribution, template)
    if credit_code is not None:
        found.append(
            Problem(TILE_MESSAGES[credit_code], TILE_MESSAGE_VALUES, "map_tile_attribution")
        )
    return found


# --- colour -----------------------------------------------------------------------------------


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of "#rrggbb"."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_ratio(first: str, second: str) -> float:
    """From 1 (same luminance) to 21 (black on white)."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def normalize_colour(text: str) -> str:
    """ "#ABC", "abc", " #AABBCC " -> "#aabbcc"; anything else is returned lower-cased, stripped
    (and refused by `colour_problem`)."""
    value = text.strip().lower()
    if not value.startswith("#"):
        value = "#" + value
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(c * 2 for c in value[1:])
    return value


def worst_contrast(colour: str) -> float:
    """The lowest contrast of the colour with what it is read against (white text on it, it
    on each background)."""
    return min(contrast_ratio(colour, other) for other in (PRIMARY_TEXT, *BACKGROUNDS))


def _mixed_with_white(colour: str, white: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c + (255 - c) * white):02x}" for c in (r, g, b))


def dark_variant(colour: str) -> str:
    """The primary colour for dark mode: the same hue mixed with white, by steps of 5 %, until
    its contrast is AA (4.5:1) on every dark background (white itself always is)."""
    for step in range(21):
        lighter = _mixed_with_white(colour, step / 20)
        if min(contrast_ratio(lighter, d) for d in DARK_BACKGROUNDS) >= AA_NORMAL_TEXT:
            return lighter
    return "#ffffff"  # not reached: white is 12:1 on the lightest dark background


def colour_problem(colour: str) -> Problem | None:
    """None when the colour may be the site's primary colour: a "#rrggbb" with a contrast of
    at least 4.5:1 against white text and against every background it is shown on."""
    if not _COLOUR.fullmatch(colour):
        return Problem(
            N_("Give the colour as six hexadecimal digits after #, e.g. #000091."),
            field="primary_colour",
        )
    worst = worst_contrast(colour)
    if worst < AA_NORMAL_TEXT:
        return Problem(
            N_(
                "This colour is too light: white text on it, or it on the page's background, "
                "would be hard to read (contrast {ratio}:1, at least 4.5:1 needed). Choose a "
                "darker colour."
            ),
            {"ratio": round(worst, 1)},  # shown in the reader's language
            field="primary_colour",
        )
    return None


# --- the form ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingsForm:
    """The submitted form, as text (checkboxes as the values sent)."""

    site_name: str
    contact_email: str
    default_language: str
    primary_colour: str
    proposal_support_threshold: str
    moderation_report_threshold: str
    premoderated_content: tuple[str, ...]
    rate_limited_actions: tuple[str, ...]
    base_version: str
    map_tile_url: str = ""
    map_tile_attribution: str = ""

    @classmethod
    def from_fields(
        cls, data: Mapping[str, str], lists: Mapping[str, Iterable[str]]
    ) -> SettingsForm:
        return cls(
            site_name=data.get("site_name", ""),
            contact_email=data.get("contact_email", ""),
            default_language=data.get("default_language", ""),
            primary_colour=data.get("primary_colour", ""),
            proposal_support_threshold=data.get("proposal_support_threshold", ""),
            moderation_report_threshold=data.get("moderation_report_threshold", ""),
            premoderated_content=tuple(lists.get("premoderated_content", ())),
            rate_limited_actions=tuple(lists.get("rate_limited_actions", ())),
            base_version=data.get("version", ""),
            map_tile_url=data.get("map_tile_url", ""),
            map_tile_attribution=data.get("map_tile_attribution", ""),
        )


def _threshold(text: str) -> int | None:
    text = text.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return None
    value = int(text)
    return value if 1 <= value <= THRESHOLD_MAX else None


def parse_settings(
    form: SettingsForm, rate_limit_actions: Iterable[str]
) -> tuple[SiteValues | None, list[Problem]]:
    """The values, or None and a problem for every wrong field (all of them at once: nothing
    is saved while one is wrong). `rate_limit_actions`: the actions that have limits
    (participation/ratelimit.py)."""
    problems: dict[str, str] = {}
    name = " ".join(form.site_name.split())
    if not name:
        problems["site_name"] = N_("Give the site's name.")
    elif len(name) > SITE_NAME_MAX:
        problems["site_name"] = N_("The name must be at most 80 characters long.")
    email = normalize_email(form.contact_email) if form.contact_email.strip() else ""
    if email and email_problem(email):
        problems["contact_email"] = N_("Give an e-mail address such as mairie@example.fr.")
    if form.default_language not in SUPPORTED_LANGUAGES:
        problems["default_language"] = N_("Choose French or English.")
    colour = normalize_colour(form.primary_colour)
    colour_refused = colour_problem(colour)
    supports = _threshold(form.proposal_support_threshold)
    if supports is None:
        problems["proposal_support_threshold"] = N_(
            "Give a whole number of supports from 1 to 1,000,000."
        )
    reports = _threshold(form.moderation_report_threshold)
    if reports is None:
        problems["moderation_report_threshold"] = N_(
            "Give a whole number of reports from 1 to 1,000,000."
        )
    if set(form.premoderated_content) - set(PREMODERATABLE):
        problems["premoderated_content"] = N_("Choose among the kinds of content listed.")
    known_actions = set(rate_limit_actions)
    if set(form.rate_limited_actions) - known_actions:
        problems["rate_limited_actions"] = N_("Choose among the actions listed.")
    if not (form.base_version.isascii() and form.base_version.isdigit()):
        problems["form"] = N_("The form is incomplete: open the settings page again.")
    found = [Problem(message, field=name) for name, message in problems.items()]
    if colour_refused:
        found.append(colour_refused)
    tile_url = tiles.normalize(form.map_tile_url)
    attribution = tiles.normalize_attribution(form.map_tile_attribution)
    found.extend(tile_problems(tile_url, attribution))
    if found:
        return None, found
    assert supports is not None and reports is not None
    return (
        SiteValues(
            site_name=name,
            contact_email=email,
            default_language=form.default_language,
            primary_colour=colour,
            proposal_support_threshold=supports,
            moderation_report_threshold=reports,
            premoderated_content=frozenset(form.premoderated_content),
            rate_limited_actions=frozenset(form.rate_limited_actions),
            map_tile_url=tile_url,
            map_tile_attribution=attribution,
        ),
        [],
    )


def changes(before: SiteValues, after: SiteValues) -> dict[str, tuple[object, object]]:
    """Setting -> (before, after) for what differs (the audit entry's values)."""
    out: dict[str, tuple[object, object]] = {}
    for key in before.__dataclass_fields__:
        old, new = getattr(before, key), getattr(after, key)
        if old != new:
            out[key] = (_plain(old), _plain(new))
    return out


def _plain(value: object) -> object:
    return sorted(value) if isinstance(value, frozenset) else value
