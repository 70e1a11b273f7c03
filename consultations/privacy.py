"""A person's consultations in their copy of their data, and what deleting their account
changes here (docs/privacy.md). Anonymous answers are linked to nobody: never part of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from consultations.models import Participant, Response
from participation.accounts.privacy import rows
from participation.i18n import N_

ANONYMOUS_ANSWERS_NOTE = N_(
    "Answers to anonymous consultations are not linked to your account and are not in this file."
)


async def export(user: Any, translate: Callable[[str], str]) -> dict[str, Any]:
    return {
        "consultations": {
            "took_part": rows(
                await Participant.filter(user=user).values(
                    "consultation_id", consultation="consultation__title", on="answered_on"
                )
            ),
            "named_answers": rows(
                await Response.filter(user=user).values(
                    "consultation_id", "answers", "submitted_on"
                )
            ),
            "note": translate(ANONYMOUS_ANSWERS_NOTE),
        },
    }


async def erase(user: Any) -> None:
    """Named answers stay, anonymous: their link to the person goes."""
    await Response.filter(user=user).update(user_id=None)
