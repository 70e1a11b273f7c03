"""Pure rules of notification preferences: where each kind goes (e-mail at once, the daily
digest, or nowhere but the in-app list), how a digest groups what happened, and the signed
token of the one-click unsubscribe link (RFC 8058).

No database here: the services read the stored choices and pass them in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from participation.i18n import N_


class Channel(StrEnum):
    EMAIL = "email"  # an e-mail at once (what every kind did before preferences existed)
    DIGEST = "digest"  # one e-mail a day with everything of the kinds set so
    NEVER = "never"  # no e-mail: the notification is still in the in-app list


CHANNEL_LABELS = {
    Channel.EMAIL: N_("E-mail at once"),
    Channel.DIGEST: N_("Daily digest"),
    Channel.NEVER: N_("Never"),
}

# Kinds whose default is not an e-mail at once: none so far. A reminder or a cancelled meeting
# is only useful at once, and nobody chose anything before this page existed: every kind
# keeps the e-mail it sent before (people opt into the digest or out of e-mails).
DEFAULTS: Mapping[str, Channel] = {}
DEFAULT = Channel.EMAIL

# The kind named in the digest's own unsubscribe link: every kind set to "digest" goes to
# "never" (the person asked for no more digests).
DIGEST_KIND = "digest"

UNSUBSCRIBE_SALT = "notifications-unsubscribe"
# an unsubscribe link works for a year: mail clients and people open old e-mails
UNSUBSCRIBE_MAX_AGE = 365 * 24 * 3600


def channel_for(kind: str, chosen: Mapping[str, str]) -> Channel:
    """Where a notification of `kind` goes for a person who chose `chosen` (kind -> channel,
    as stored); an unknown stored value falls back to the default."""
    value = chosen.get(kind)
    if value is not None and value in Channel._value2member_map_:
        return Channel(value)
    return DEFAULTS.get(kind, DEFAULT)


def parse_choices(
    form: Mapping[str, str], kinds: Sequence[str]
) -> tuple[dict[str, Channel], dict[str, str]]:
    """The preferences form (field `kind-<kind>` per kind) as kind -> channel, and the field
    -> message of every value that is not a channel. A kind missing from the form keeps its
    default; fields of unknown kinds are ignored."""
    choices: dict[str, Channel] = {}
    problems: dict[str, str] = {}
    for kind in kinds:
        value = form.get(f"kind-{kind}")
        if value is None:
            choices[kind] = DEFAULTS.get(kind, DEFAULT)
        elif value in Channel._value2member_map_:
            choices[kind] = Channel(value)
        else:
            problems[f"kind-{kind}"] = N_("Choose one of the three ways.")
    return choices, problems


def stored_changes(choices: Mapping[str, Channel]) -> tuple[dict[str, Channel], list[str]]:
    """What to store: the rows of kinds set away from their default, and the kinds whose row
    goes (back to the default): only choices are stored, so a new default reaches everyone
    who did not choose."""
    keep = {k: c for k, c in choices.items() if c != DEFAULTS.get(k, DEFAULT)}
    return keep, [k for k in choices if k not in keep]


def after_unsubscribe(kind: str, chosen: Mapping[str, str], kinds: Iterable[str]) -> list[str]:
    """The kinds a one-click unsubscribe sets to "never": the kind of the e-mail, or for the
    digest's link every kind that goes to the digest."""
    if kind == DIGEST_KIND:
        return [k for k in kinds if channel_for(k, chosen) == Channel.DIGEST]
    return [kind]


@dataclass(frozen=True)
class DigestLine:
    kind: str
    at: datetime
    text: str
    link: str


def digest_groups(
    lines: Iterable[DigestLine], kind_order: Sequence[str]
) -> list[tuple[str, list[DigestLine]]]:
    """A digest's lines grouped by kind: the kinds in `kind_order` (unknown kinds after them,
    by name), each kind's lines oldest first; the same line (text and link) once."""
    position = {kind: index for index, kind in enumerate(kind_order)}
    groups: dict[str, list[DigestLine]] = {}
    seen: set[tuple[str, str]] = set()
    for line in sorted(lines, key=lambda line: line.at):
        if (line.text, line.link) in seen:
            continue
        seen.add((line.text, line.link))
        groups.setdefault(line.kind, []).append(line)
    order = sorted(groups, key=lambda kind: (position.get(kind, len(position)), kind))
    return [(kind, groups[kind]) for kind in order]


# --- the one-click unsubscribe link (RFC 8058) ---------------------------------------------------


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(secret_key: str, user_id: int, kind: str) -> str:
    """The token of an e-mail's unsubscribe link: signed (SECRET_KEY), so it sets only this
    person's `kind`; not stored anywhere (the outbox keeps "<user id>:<kind>")."""
    return _serializer(secret_key).dumps([user_id, kind])


def read_unsubscribe_token(
    secret_key: str,
    token: str,
    kinds: Iterable[str],
    now: float | None = None,
    max_age: int = UNSUBSCRIBE_MAX_AGE,
) -> tuple[int, str] | None:
    """(user id, kind) of a valid token, else None: forged, another salt's, expired, or a kind
    that no longer exists. Using it twice is harmless: "never" stays "never"."""
    serializer = _serializer(secret_key)
    try:
        if now is None:
            data = serializer.loads(token, max_age=max_age)
        else:
            data, signed_at = serializer.loads(token, return_timestamp=True)
            if now - signed_at.timestamp() > max_age:
                return None
    except (BadSignature, SignatureExpired, ValueError):
        return None
    if not (isinstance(data, list) and len(data) == 2):
        return None
    user_id, kind = data
    if not isinstance(user_id, int) or not isinstance(kind, str):
        return None
    if kind != DIGEST_KIND and kind not in set(kinds):
        return None
    return user_id, kind
