"""Pure proposal rules: the state machine, who may do what, form validation, version diffs.

No database and no HTTP here: plain values in, results or a DomainError (with a msgid) out.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from participation.contributions import ModerationState
from participation.formfields import local_moment, too_long
from participation.i18n import N_
from participation.numbers import parse_id
from participation.permissions import can_work_at_desk, is_staff, is_verified_resident
from participation.refusals import DomainError, Problem
from participation.spaces.domain import AudienceRule, Person, audience_refusal
from participation.territory import OUTSIDE_TOWN, Box, coordinate

TITLE_MIN, TITLE_MAX = 10, 150
BODY_MIN, BODY_MAX = 30, 10_000
ADDRESS_MAX = 200
REASON_MAX = 1_000
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]+$")
MAX_COAUTHORS = 5


class ProposalState(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"  # waiting for pre-moderation (moderation issue)
    PUBLISHED = "published"
    THRESHOLD_REACHED = "threshold_reached"
    UNDER_ANALYSIS = "under_analysis"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    DONE = "done"
    WITHDRAWN = "withdrawn"


class AmendmentState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


S = ProposalState
STATE_LABELS = {
    S.DRAFT: N_("draft"),
    S.PENDING: N_("awaiting moderation"),
    S.PUBLISHED: N_("published"),
    S.THRESHOLD_REACHED: N_("threshold reached"),
    S.UNDER_ANALYSIS: N_("under analysis"),
    S.ACCEPTED: N_("accepted"),
    S.REFUSED: N_("refused"),
    S.DONE: N_("done"),
    S.WITHDRAWN: N_("withdrawn"),
}
# Seen by everyone (when visible); drafts, pending and withdrawn ones only by their authors.
PUBLIC_STATES = frozenset(
    {S.PUBLISHED, S.THRESHOLD_REACHED, S.UNDER_ANALYSIS, S.ACCEPTED, S.REFUSED, S.DONE}
)
# Open: residents may still support and amend it.
OPEN_STATES = frozenset({S.PUBLISHED, S.THRESHOLD_REACHED})
ANSWER_STATES = frozenset({S.ACCEPTED, S.REFUSED})


class Actor(StrEnum):
    AUTHOR = "author"  # the author or an accepted co-author
    MODERATOR = "moderator"
    STAFF = "staff"
    SYSTEM = "system"


# (from, to) -> who may make that move.
TRANSITIONS: dict[tuple[ProposalState, ProposalState], Actor] = {
    (S.DRAFT, S.PUBLISHED): Actor.AUTHOR,
    (S.DRAFT, S.PENDING): Actor.AUTHOR,
    (S.PENDING, S.PUBLISHED): Actor.MODERATOR,
    (S.PUBLISHED, S.THRESHOLD_REACHED): Actor.SYSTEM,
    (S.PUBLISHED, S.UNDER_ANALYSIS): Actor.STAFF,
    (S.THRESHOLD_REACHED, S.UNDER_ANALYSIS): Actor.STAFF,
    (S.UNDER_ANALYSIS, S.ACCEPTED): Actor.STAFF,
    (S.UNDER_ANALYSIS, S.REFUSED): Actor.STAFF,
    (S.ACCEPTED, S.DONE): Actor.STAFF,
    (S.DRAFT, S.WITHDRAWN): Actor.AUTHOR,
    (S.PENDING, S.WITHDRAWN): Actor.AUTHOR,
    (S.PUBLISHED, S.WITHDRAWN): Actor.AUTHOR,
    (S.THRESHOLD_REACHED, S.WITHDRAWN): Actor.AUTHOR,
}


def check_transition(current: ProposalState, target: ProposalState, actor: Actor) -> None:
    """Raise DomainError unless `actor` may move a proposal from `current` to `target`."""
    allowed = TRANSITIONS.get((current, target))
    if allowed is None:
        raise DomainError(N_("This change of state is not possible."))
    if allowed != actor:
        raise DomainError(N_("You may not make this change of state."))


def next_states(current: ProposalState, actor: Actor) -> list[ProposalState]:
    return [to for (frm, to), who in TRANSITIONS.items() if frm == current and who == actor]


def threshold_crossed(state: ProposalState, support_count: int, threshold: int) -> bool:
    return state == S.PUBLISHED and support_count >= threshold


# --- who may do what: pure predicates over the user and what we know of the proposal ---------


@dataclass(frozen=True)
class ProposalFacts:
    author_id: int
    state: ProposalState
    moderation_state: ModerationState = ModerationState.VISIBLE
    coauthor_ids: frozenset[int] = field(default_factory=frozenset)
    # from its collection (issue #18): suggesting amendments, and its space's comments switch
    amendments_open: bool = True
    comments_open: bool = True
    collection: CollectionRules | None = None  # None: in no collection (the site's rules)


def is_author(user: Any, facts: ProposalFacts) -> bool:
    return bool(user.is_authenticated) and (
        user.id == facts.author_id or user.id in facts.coauthor_ids
    )


def can_edit(user: Any, facts: ProposalFacts) -> bool:
    return is_author(user, facts) and facts.state in (S.DRAFT, *OPEN_STATES)


def can_invite(user: Any, facts: ProposalFacts) -> bool:
    # only the first author invites co-authors
    return (
        bool(user.is_authenticated)
        and user.id == facts.author_id
        and facts.state in (S.DRAFT, *OPEN_STATES)
    )


def _resident_may_act(user: Any, facts: ProposalFacts, states: Collection[S]) -> bool:
    """A verified resident, on a proposal that moderation shows, in one of `states`."""
    return (
        is_verified_resident(user)
        and facts.state in states
        and facts.moderation_state == ModerationState.VISIBLE
    )


def can_support(user: Any, facts: ProposalFacts) -> bool:
    return _resident_may_act(user, facts, OPEN_STATES)


def can_support_on_behalf(agent: Any, facts: ProposalFacts) -> bool:
    """The desk recording a support for someone else (participation/counter: a desk officer or an
    administrator): the proposal open and shown, as for a support online; the person's own
    eligibility is checked by the caller."""
    return (
        can_work_at_desk(agent)
        and facts.state in OPEN_STATES
        and facts.moderation_state == ModerationState.VISIBLE
    )


def can_comment_on_behalf(agent: Any, facts: ProposalFacts) -> bool:
    """Staff recording a comment for someone else (participation/counter): the proposal public
    and shown, as for a comment online; the person's own eligibility is checked by the caller."""
    return (
        is_staff(agent)
        and facts.state in PUBLIC_STATES
        and facts.moderation_state == ModerationState.VISIBLE
    )


def can_amend(user: Any, facts: ProposalFacts) -> bool:
    return facts.amendments_open and can_support(user, facts) and not is_author(user, facts)


def can_decide_amendment(user: Any, facts: ProposalFacts) -> bool:
    return is_author(user, facts) and facts.state in OPEN_STATES


def can_comment(user: Any, facts: ProposalFacts) -> bool:
    """A verified resident, on a public proposal shown by moderation, while its space's
    comments are open (`Space.comments_open`: the proposals' side of the switch that
    participation/commenting.py reads for the other targets)."""
    return facts.comments_open and _resident_may_act(user, facts, PUBLIC_STATES)


def comments_open(facts: ProposalFacts) -> bool:
    """Whether the proposal takes comments (from any verified resident: `can_comment`):
    public and shown; a draft, a withdrawn, a pending or a hidden one does not."""
    return facts.state in PUBLIC_STATES and facts.moderation_state == ModerationState.VISIBLE


def can_answer(user: Any, facts: ProposalFacts) -> bool:
    return is_staff(user) and facts.state in PUBLIC_STATES


def actor_for(user: Any, facts: ProposalFacts) -> Actor | None:
    """The role in which `user` acts on this proposal's state, if any."""
    if is_staff(user) and facts.state in PUBLIC_STATES:
        return Actor.STAFF
    if is_author(user, facts):
        return Actor.AUTHOR
    if bool(getattr(user, "is_moderator", False)):
        return Actor.MODERATOR
    return None


def audience_problem(
    user: Any, rule: AudienceRule | None, person: Person, today: date
) -> Problem | None:
    """Why `user` (seen by the audience rule as `person`) may not propose, support or comment
    in a collection whose space has `rule` (None: in no space); None when nothing in the space
    stops them (the other rules still apply: a support needs a verified resident). Staff are
    never refused: they moderate and answer everywhere. The counter does not ask: the agent
    vouches for the person (participation/counter)."""
    if rule is None or is_staff(user):
        return None
    return audience_refusal(rule, person, today)


# --- collections (issue #18): a space's ideas box, with its own rules -------------------------

COLLECTION_TITLE_MAX = 150
THRESHOLD_MAX = 1_000_000


class CollectionState(StrEnum):
    OPEN = "open"  # takes new proposals now
    UPCOMING = "upcoming"  # its opening date is still to come
    CLOSED = "closed"  # switched off, or its closing date is past


COLLECTION_STATE_LABELS = {
    CollectionState.OPEN: N_("Open for proposals"),
    CollectionState.UPCOMING: N_("Not open yet"),
    CollectionState.CLOSED: N_("Closed for new proposals"),
}


@dataclass(frozen=True)
class CollectionRules:
    """What a collection decides for its proposals, as plain data."""

    support_threshold: int
    premoderated: bool = False
    amendments_open: bool = True
    accepting: bool = True  # the switch: False closes it whatever its dates
    opens_at: datetime | None = None
    closes_at: datetime | None = None


def collection_state(rules: CollectionRules, now: datetime) -> CollectionState:
    """Closed when switched off or once `closes_at` is reached, upcoming before `opens_at`."""
    if not rules.accepting or (rules.closes_at is not None and now >= rules.closes_at):
        return CollectionState.CLOSED
    if rules.opens_at is not None and now < rules.opens_at:
        return CollectionState.UPCOMING
    return CollectionState.OPEN


def may_propose_now(rules: CollectionRules | None, now: datetime) -> bool:
    """Whether a proposal may be created (or a draft published) in this collection now; a
    proposal of no collection (a site that has none) follows the site's one ideas box."""
    return rules is None or collection_state(rules, now) == CollectionState.OPEN


def support_threshold(rules: CollectionRules | None, site_threshold: int) -> int:
    """The supports a proposal needs: its collection's, else the site's setting."""
    return rules.support_threshold if rules is not None else site_threshold


def threshold_reached(
    state: ProposalState, support_count: int, rules: CollectionRules | None, site_threshold: int
) -> bool:
    """Whether this support count moves a published proposal to « seuil atteint »."""
    return threshold_crossed(state, support_count, support_threshold(rules, site_threshold))


def needs_premoderation(rules: CollectionRules | None, site_premoderates: bool) -> bool:
    """Whether a proposal waits for a moderator before it is public: its collection says so,
    else the site's pre-moderated content types."""
    return rules.premoderated if rules is not None else site_premoderates


NO_COLLECTION_OPEN = N_("No collection takes new proposals at the moment.")


def choose_collection(open_ids: list[int], raw: str) -> tuple[int | None, str | None]:
    """The collection a new proposal goes into: the only open one when the form did not ask,
    else the one chosen among the open ones; (None, message) when that is not possible."""
    if not open_ids:
        return None, NO_COLLECTION_OPEN
    chosen = parse_id(raw)
    if chosen is None and not raw.strip() and len(open_ids) == 1:
        return open_ids[0], None
    if chosen is None or chosen not in open_ids:
        return None, N_("Choose a collection from the list.")
    return chosen, None


def offered_category_ids(own: Sequence[Collection[int]], site: Collection[int]) -> set[int]:
    """The categories a proposal may be filed under, given the categories each collection in
    play chose (`own`: one set per collection; several when the form lets the person choose
    the collection) among the site's (`site`): a collection that chose none offers every site
    category; no collection in play (a site without any) offers the site's."""
    if not own:
        return set(site)
    offered: set[int] = set()
    for chosen in own:
        offered |= set(chosen) if chosen else set(site)
    return offered & set(site)


CATEGORY_NOT_OFFERED = N_("Choose categories from the list.")


@dataclass(frozen=True)
class CollectionForm:
    title: str
    space_id: int | None
    support_threshold: int | None
    premoderated: bool
    amendments_open: bool
    accepting: bool
    opens_at: datetime | None
    closes_at: datetime | None
    category_ids: tuple[int, ...] = ()  # none: the site's categories


def parse_collection(
    data: Mapping[str, str], categories: Sequence[str] = ()
) -> tuple[CollectionForm, list[Problem]]:
    """A collection's form as typed (dates in the town's time; `categories`: the ticked
    boxes, as sent), with every wrong field. Whether the categories exist is the service's
    check."""
    problems: list[Problem] = []
    category_ids = [parse_id(raw) for raw in categories]
    if any(i is None for i in category_ids):
        problems.append(Problem(CATEGORY_NOT_OFFERED, field="categories"))
    title = data.get("title", "").strip()
    if not title:
        problems.append(Problem(N_("Give the collection a title."), field="title"))
    elif len(title) > COLLECTION_TITLE_MAX:
        problems.append(too_long("title", COLLECTION_TITLE_MAX))
    space_id = parse_id(data.get("space", ""))
    if space_id is None:
        problems.append(Problem(N_("Choose a space from the list."), field="space"))
    threshold = parse_id(data.get("support_threshold", "").strip())
    if threshold is None or not 1 <= threshold <= THRESHOLD_MAX:
        problems.append(
            Problem(N_("Enter a whole number between 1 and 1,000,000."), field="support_threshold")
        )
    opens_at = local_moment(data, "opens_at", problems)
    closes_at = local_moment(data, "closes_at", problems)
    if opens_at and closes_at and closes_at <= opens_at:
        problems.append(
            Problem(N_("The closing date must come after the opening date."), field="closes_at")
        )
    form = CollectionForm(
        title=title,
        space_id=space_id,
        support_threshold=threshold,
        premoderated=data.get("premoderated") == "on",
        amendments_open=data.get("amendments_open") == "on",
        accepting=data.get("accepting") == "on",
        opens_at=opens_at,
        closes_at=closes_at,
        category_ids=tuple(sorted({i for i in category_ids if i is not None})),
    )
    return form, problems


# --- forms ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalForm:
    title: str
    body: str
    category_id: int | None = None
    district_id: int | None = None
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None


def parse_optional_int(raw: str) -> int | None:
    return parse_id(raw)


def form_of(data: Mapping[str, str]) -> tuple[ProposalForm, tuple[str, str]]:
    """The proposal form as typed: the fields parsed, and the coordinates as typed (checked by
    `proposal_problems`)."""
    raw = (data.get("latitude", ""), data.get("longitude", ""))
    lat, lon = parse_coordinate(raw[0], 90), parse_coordinate(raw[1], 180)
    form = ProposalForm(
        title=data.get("title", ""),
        body=data.get("body", ""),
        category_id=parse_optional_int(data.get("category", "")),
        district_id=parse_optional_int(data.get("district", "")),
        address=data.get("address", ""),
        latitude=lat if isinstance(lat, float) else None,
        longitude=lon if isinstance(lon, float) else None,
    )
    return form, raw


def parse_coordinate(raw: str, limit: float) -> float | None | str:
    """A float within ±limit, None when empty, or the string "bad" (`territory.coordinate`)."""
    value = coordinate(raw)
    if isinstance(value, float) and not -limit <= value <= limit:
        return "bad"
    return value


def text_problems(title: str, body_text: str) -> dict[str, str]:
    """Problems of a title and of a body's plain text (after sanitizing)."""
    problems: dict[str, str] = {}
    if not title.strip():
        problems["title"] = N_("Give your proposal a title.")
    elif not TITLE_MIN <= len(title.strip()) <= TITLE_MAX:
        problems["title"] = N_("The title must be between 10 and 150 characters long.")
    if not body_text.strip():
        problems["body"] = N_("Describe your proposal.")
    elif not BODY_MIN <= len(body_text) <= BODY_MAX:
        problems["body"] = N_("The description must be between 30 and 10,000 characters long.")
    return problems


def proposal_problems(
    form: ProposalForm,
    body_text: str,
    category_ids: Collection[int],
    district_ids: Collection[int],
    raw_coordinates: tuple[str, str] = ("", ""),
    town: Box | None = None,
) -> dict[str, str]:
    """Problems of the form, field by field; `town`: the point must be inside it (None: not
    checked, a test's shortcut; every route passes the town's box)."""
    problems = text_problems(form.title, body_text)
    # asked only while the town has some (a new site has none until staff add them)
    if category_ids and (form.category_id is None or form.category_id not in category_ids):
        problems["category"] = N_("Choose a category.")
    elif not category_ids and form.category_id is not None:
        problems["category"] = N_("Choose a category.")
    if district_ids and (form.district_id is None or form.district_id not in district_ids):
        problems["district"] = N_("Choose a district.")
    elif not district_ids and form.district_id is not None:
        problems["district"] = N_("Choose a district.")
    if len(form.address) > ADDRESS_MAX:
        problems["address"] = N_("The address must be at most 200 characters long.")
    lat, lon = raw_coordinates
    if parse_coordinate(lat, 90) == "bad":
        problems["latitude"] = N_("The latitude must be a number between -90 and 90.")
    if parse_coordinate(lon, 180) == "bad":
        problems["longitude"] = N_("The longitude must be a number between -180 and 180.")
    if (form.latitude is None) != (form.longitude is None) and not (
        {"latitude", "longitude"} & problems.keys()
    ):
        problems["longitude"] = N_("Give both the latitude and the longitude, or neither.")
    if (
        town is not None
        and form.latitude is not None
        and form.longitude is not None
        and not ({"latitude", "longitude"} & problems.keys())
        and not town.contains(form.latitude, form.longitude)
    ):
        problems["latitude"] = OUTSIDE_TOWN
    return problems


def coauthor_email_problem(email: str, author_email: str, already: Collection[str]) -> str | None:
    if not _EMAIL.match(email) or len(email) > 254:
        return N_("Enter a valid e-mail address, like nom@exemple.fr.")
    if email == author_email:
        return N_("You are already the author of this proposal.")
    if email in already:
        return N_("This person is already invited.")
    if len(already) >= MAX_COAUTHORS:
        return N_("A proposal has at most 5 co-authors.")
    return None


def amendment_acceptance_problem(base_version: int, current_version: int) -> str | None:
    if base_version != current_version:
        return N_(
            "The proposal has changed since this amendment was written: it cannot be accepted."
        )
    return None


# --- diffs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffPart:
    op: str  # "same", "added", "removed"
    text: str


def word_diff(old: str, new: str) -> list[DiffPart]:
    """A readable word-level diff of two plain texts (line breaks kept as words)."""
    old_words = re.findall(r"\S+|\n", old)
    new_words = re.findall(r"\S+|\n", new)
    parts: list[DiffPart] = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(DiffPart("same", _join(old_words[i1:i2])))
            continue
        if i2 > i1:
            parts.append(DiffPart("removed", _join(old_words[i1:i2])))
        if j2 > j1:
            parts.append(DiffPart("added", _join(new_words[j1:j2])))
    return parts


def _join(words: list[str]) -> str:
    return " ".join(words).replace(" \n ", "\n").replace("\n ", "\n").replace(" \n", "\n")
