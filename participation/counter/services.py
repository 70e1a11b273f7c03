"""Commands of the counter (docs/counter.md): an agent records a person without an account.
What is recorded for them (a proposal, a support...) belongs to each feature
(`Feature.counter_section`; proposals: participation/proposals/counter.py)."""

from __future__ import annotations

import secrets
from typing import Any

from tortoise import timezone
from tortoise.transactions import in_transaction

from participation.accounts.models import User
from participation.audit import audit
from participation.counter import domain
from participation.counter.domain import Channel
from participation.counter.models import OfflinePerson
from participation.i18n import N_
from participation.refusals import NotAllowed, NotFound, refuse, refuse_fields

OFFLINE_DOMAIN = "invalid"  # RFC 2606: no mail is ever delivered there


def check_agent(agent: Any) -> Any:
    """The agent, when they may record for someone else (else NotAllowed: 403)."""
    if not domain.may_record(agent):
        raise NotAllowed()
    return agent


def channel_of(raw: str) -> Channel:
    """The channel the agent chose, or a refusal on the `channel` field."""
    channel = domain.parse_channel(raw)
    if channel is None:
        raise refuse(N_("Choose how the contribution came in."), "channel")
    return channel


async def person(person_id: int | None) -> User:
    """The person a contribution is recorded for: an account, deleted ones left out (404)."""
    user = await User.get_or_none(id=person_id, deleted_at=None) if person_id else None
    if user is None:
        raise NotFound(person_id)
    return user


async def offline_record(user_id: int) -> OfflinePerson | None:
    return await OfflinePerson.get_or_none(user_id=user_id)


async def record_person(agent: Any, name: str, contact: str, consent: bool) -> User:
    """A person without an account: an account that cannot sign in, with their consent, the
    contact details they chose to give, and the agent who recorded them (audited)."""
    check_agent(agent)
    if problems := domain.person_problems(name, contact, consent):
        raise refuse_fields(problems)
    async with in_transaction():
        user = await User.create(
            email=f"hors-ligne-{secrets.token_hex(8)}@{OFFLINE_DOMAIN}",
            display_name=name.strip() or domain.UNNAMED,
            password_hash="!",  # never a valid hash: no sign-in
        )
        await OfflinePerson.create(
            user_id=user.id,
            contact=contact.strip(),
            consent_at=timezone.now(),
            recorded_by_id=agent.id,
        )
        await audit(agent, "counter_person", "user", user.id, "", {"consent": True})
    return user
