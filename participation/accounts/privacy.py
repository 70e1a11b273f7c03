"""The resident's RGPD rights on their account: a copy of their data, and deletion.

What is kept, erased or anonymised, and why, is written in docs/privacy.md; this module is its
implementation. Budget ballots are never part of it: they are not linked to anyone (see
docs/security.md), so they are neither exported nor deleted, and stay counted.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from tortoise import timezone
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from budgets.models import Project, Residency, VoterRegister
from consultations.models import Participant, Response
from meetings import privacy as meetings_privacy
from moderation.models import Report, UserBlock
from participation import formatting, mail
from participation.accounts.domain import ERASED_PASSWORD_HASH, FORMER_PARTICIPANT, erased_email
from participation.accounts.models import PasswordResetToken, User, UserSession
from participation.comments.models import Comment, CommentVote
from participation.formfields import column_length
from participation.i18n import N_, translations
from participation.notifications.models import Notification
from participation.proposals.models import Amendment, Proposal, ProposalCoauthor, Support

BALLOT_NOTE = N_(
    "How you voted in a participatory budget is not in this file, because nobody can link a "
    "ballot to a person: ballots are stored apart from the register of voters, without your "
    "name or account. The register only records that you voted."
)
ANONYMOUS_ANSWERS_NOTE = N_(
    "Answers to anonymous consultations are not linked to your account and are not in this file."
)


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO 8601 (moments in the town's time, with the offset), enums as
    their value."""
    if isinstance(value, datetime):
        return formatting.iso_local(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def _rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: _plain(value) for key, value in row.items()} for row in rows]


async def export_personal_data(user: User, translate: Any) -> dict[str, Any]:
    """Everything stored about `user`, as plain JSON-ready data (`translate` localizes notes)."""
    residency = await Residency.get_or_none(user=user).prefetch_related("census_entry")
    voted_in: list[dict[str, Any]] = []
    if residency is not None:
        voted_in = _rows(
            await VoterRegister.filter(census_entry_id=residency.census_entry_id).values(
                budget_id="budget__id", budget="budget__title", channel="channel", on="voted_on"
            )
        )
    return {
        "account": {
            key: _plain(getattr(user, key))
            for key in (
                "id",
                "email",
                "display_name",
                "role",
                "language",
                "email_confirmed_at",
                "created_at",
                "last_login_at",
            )
        },
        "sessions": _rows(await UserSession.filter(user=user).values("created_at", "expires_at")),
        "residency": None
        if residency is None
        else {
            "verified_at": _plain(residency.verified_at),
            "birth_date": _plain(residency.birth_date),
            "district": residency.census_entry.district,
        },
        "proposals": _rows(
            await Proposal.filter(author=user).values(
                "id", "title", "body", "address", "state", "created_at", "published_at"
            )
        ),
        "coauthorships": _rows(
            await ProposalCoauthor.filter(user=user).values("proposal_id", "accepted_at")
        ),
        "amendments": _rows(
            await Amendment.filter(author=user).values(
                "id", "proposal_id", "title", "body", "reason", "created_at"
            )
        ),
        "comments": _rows(
            await Comment.filter(author=user).values(
                "id", "proposal_id", "body", "stance", "created_at", "edited_at", "deleted_at"
            )
        ),
        "comment_votes": _rows(await CommentVote.filter(user=user).values("comment_id", "value")),
        "supports": _rows(await Support.filter(user=user).values("proposal_id", "created_at")),
        "consultations": {
            "took_part": _rows(
                await Participant.filter(user=user).values(
                    "consultation_id", consultation="consultation__title", on="answered_on"
                )
            ),
            "named_answers": _rows(
                await Response.filter(user=user).values(
                    "consultation_id", "answers", "submitted_on"
                )
            ),
            "note": translate(ANONYMOUS_ANSWERS_NOTE),
        },
        "budgets": {
            "projects_submitted": _rows(
                await Project.filter(author=user).values(
                    "id", "budget_id", "title", "description", "cost", "location"
                )
            ),
            "voted_in": voted_in,
            "note": translate(BALLOT_NOTE),
        },
        "notifications": _rows(
            await Notification.filter(user=user).values(
                "kind", "proposal_id", "comment_id", "created_at", "read_at"
            )
        ),
        "reports_made": _rows(
            await Report.filter(reporter=user).values(
                "content_type", "content_id", "reason", "text", "created_at"
            )
        ),
        **await meetings_privacy.export(user, translate),
        "blocks": _rows(
            await UserBlock.filter(user=user).values("created_at", "ends_at", "reason", "lifted_at")
        ),
    }


async def delete_account(user: User) -> None:
    """Erase the person's personal data in one transaction; keep what others rely on.

    Erased: e-mail, name, password, language, sessions, reset tokens, notifications, e-mails
    waiting to be sent or kept in the outbox, their name in the outbox e-mails of other people
    (replaced by "Former participant"), pending co-author invitations to their address,
    their name on named consultation answers (the answers stay, anonymous), the exact birth
    date. Kept, attributed to "Former participant": proposals, amendments, comments, budget
    projects. Kept as
    they are: supports, comment votes, reports (counts stay right), the residency row and the
    register of voters (one person, one vote: the census row stays used), ballots (secret).
    """
    email = user.email
    async with in_transaction():
        await _scrub_name_from_emails(user.display_name)
        await UserSession.filter(user=user).delete()
        await PasswordResetToken.filter(user=user).delete()
        await Notification.filter(user=user).delete()
        await mail.OutboxEmail.filter(recipient=email).delete()
        await ProposalCoauthor.filter(email=email, user=None).delete()
        await ProposalCoauthor.filter(user=user).update(email=erased_email(user.id))
        await Response.filter(user=user).update(user_id=None)
        await meetings_privacy.erase(user)
        residency = await Residency.get_or_none(user=user).prefetch_related("census_entry")
        if residency is not None:  # the year is all the census itself keeps
            residency.birth_date = date(residency.census_entry.birth_year, 1, 1)
            await residency.save(update_fields=["birth_date"])
        await User.filter(id=user.id).update(
            email=erased_email(user.id),
            display_name="",
            password_hash=ERASED_PASSWORD_HASH,
            language=None,
            email_confirmed_at=None,
            last_login_at=None,
            deleted_at=timezone.now(),
        )


def name_pattern(display_name: str) -> re.Pattern[str] | None:
    """The display name as a whole word or phrase (not inside another word), or None when
    there is no name to look for."""
    name = display_name.strip()
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)") if name else None


SUBJECT_LENGTH = column_length(mail.OutboxEmail, "subject")


async def _scrub_name_from_emails(display_name: str) -> None:
    """Other people's e-mails kept in the outbox (sent ones stay LOG_RETENTION_DAYS) name this
    person ("Olivia commented on your proposal"): put "Former participant" in their language
    instead, in the subject and the text, sent or not yet sent."""
    pattern = name_pattern(display_name)
    if pattern is None:
        return
    name = display_name.strip()
    emails = await mail.OutboxEmail.filter(Q(body__contains=name) | Q(subject__contains=name))
    if not emails:
        return
    recipients = {e.recipient for e in emails}
    languages = dict(await User.filter(email__in=recipients).values_list("email", "language"))
    for outbox_email in emails:
        language = languages.get(outbox_email.recipient) or "fr"
        replacement = translations(language).gettext(FORMER_PARTICIPANT)
        subject = pattern.sub(replacement, outbox_email.subject)[:SUBJECT_LENGTH]
        body = pattern.sub(replacement, outbox_email.body)
        if (subject, body) != (outbox_email.subject, outbox_email.body):
            await mail.OutboxEmail.filter(id=outbox_email.id).update(subject=subject, body=body)
