"""Contributions taken on behalf of people who are not online (issue #20): pure rules, no HTTP,
no database.

An agent (staff) records, for a person in front of them, on the phone, on a paper form or at a
public meeting, a proposal or a support of a proposal. The channel is kept with the contribution
and shown on public pages where it helps trust (« déposée au guichet »); the agent is named in
the audit log. The same rules as online apply: one support per person and proposal, whatever
the channel (the UNIQUE constraint of `proposals_support` decides; `second_support_message`
says which channel got there first), pre-moderation, a person blocked by moderators may not
contribute.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from participation.i18n import N_
from participation.permissions import can_work_at_desk


class Channel(StrEnum):
    ONLINE = "online"  # the person, signed in, on the site
    COUNTER = "counter"  # at the town-hall desk
    PHONE = "phone"
    PAPER = "paper"  # a paper form sent or left at the town hall
    MEETING = "meeting"  # a public meeting


# The channels an agent may record (online is the person's own).
OFFLINE_CHANNELS = (Channel.COUNTER, Channel.PHONE, Channel.PAPER, Channel.MEETING)

# What the agent's form says of each channel.
CHANNEL_LABELS = {
    Channel.ONLINE: N_("online"),
    Channel.COUNTER: N_("at the counter"),
    Channel.PHONE: N_("by phone"),
    Channel.PAPER: N_("on a paper form"),
    Channel.MEETING: N_("at a public meeting"),
}

# What public pages say of a proposal taken on behalf of someone (nothing for online).
PROPOSAL_LABELS = {
    Channel.COUNTER: N_("filed at the counter"),
    Channel.PHONE: N_("filed by phone"),
    Channel.PAPER: N_("filed on a paper form"),
    Channel.MEETING: N_("filed at a public meeting"),
}

# What public pages say, discreetly, of a comment taken on behalf of someone (nothing online).
COMMENT_LABELS = {
    Channel.COUNTER: N_("collected at the counter"),
    Channel.PHONE: N_("collected by phone"),
    Channel.PAPER: N_("collected on a paper form"),
    Channel.MEETING: N_("collected at a public meeting"),
}

NAME_MAX = 80  # the length of a display name
# the contact details a person gave at the counter are erased a year after they were recorded
# (participation/retention.py): time enough to tell them what became of their contribution
CONTACT_DAYS = 365
CONTACT_MAX = 200
UNNAMED = N_("Person met at the town hall")  # the public name of a person who gave none

CONSENT_LABEL = N_(
    "The person agrees that their contribution is published and that their contact details are "
    "kept to follow it up"
)


def parse_channel(raw: str) -> Channel | None:
    """The channel an agent chose, or None: only the offline channels, exactly as the form sends
    them (a forged or online value is refused, never guessed)."""
    raw = raw.strip()
    for channel in OFFLINE_CHANNELS:
        if raw == channel.value:
            return channel
    return None


def may_record(agent: Any) -> bool:
    """Who may record a contribution for someone else: the town-hall desk (desk officers and
    administrators, `permissions.can_work_at_desk`)."""
    return can_work_at_desk(agent)


def may_contribute(person_blocked: bool, person_deleted: bool) -> bool:
    """Whether the person may have a contribution recorded on their behalf: the same person
    online could (not blocked by moderators, account not deleted)."""
    return not person_blocked and not person_deleted


def person_problems(name: str, contact: str, consent: bool) -> dict[str, str]:
    """The form for a person without an account: name and contact optional, consent required."""
    problems: dict[str, str] = {}
    if len(name.strip()) > NAME_MAX:
        problems["name"] = N_("The name must be at most 80 characters long.")
    if len(contact.strip()) > CONTACT_MAX:
        problems["contact"] = N_("The contact details must be at most 200 characters long.")
    if not consent:
        problems["consent"] = N_(
            "Ask the person: without their agreement, nothing can be recorded for them."
        )
    return problems


# Why a second support is refused, by the channel of the first.
ALREADY_SUPPORTED = {
    Channel.ONLINE: N_("This person already supports this proposal (online)."),
    Channel.COUNTER: N_("This person already supports this proposal (recorded at the counter)."),
    Channel.PHONE: N_("This person already supports this proposal (recorded by phone)."),
    Channel.PAPER: N_("This person already supports this proposal (recorded on a paper form)."),
    Channel.MEETING: N_(
        "This person already supports this proposal (recorded at a public meeting)."
    ),
}


def second_support_message(existing: str | None) -> str | None:
    """One support per person and proposal, whatever the channel: None when there is none yet
    (`existing` is the channel of the support already stored), else why a second is refused,
    naming the channel of the first (an unknown stored value reads as online)."""
    if existing is None:
        return None
    try:
        channel = Channel(existing)
    except ValueError:
        channel = Channel.ONLINE
    return ALREADY_SUPPORTED[channel]
