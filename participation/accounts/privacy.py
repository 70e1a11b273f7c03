"""The resident's RGPD rights on their account: a copy of their data, and deletion.

What is kept, erased or anonymised, and why, is written in docs/privacy.md; this module is its
implementation, with the `personal_data` of each feature's manifest. Budget ballots are never
part of it: they are not linked to anyone (see docs/security.md), so they are neither exported
nor deleted, and stay counted.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from tortoise import timezone
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from participation import features, formatting, mail
from participation.accounts.domain import ERASED_PASSWORD_HASH, FORMER_PARTICIPANT, erased_email
from participation.accounts.models import EmailChange, PasswordResetToken, User, UserSession
from participation.formfields import column_length
from participation.i18n import translations
from participation.notifications.models import Digest, Notification, NotificationPreference
from participation.people.models import SpaceRole
from participation.residents.models import BirthDateClaim, LetterCode, PostalAddress


def plain(value: Any) -> Any:
    """JSON-ready: dates as ISO 8601 (moments in the town's time, with the offset), enums as
    their value."""
    if isinstance(value, datetime):
        return formatting.iso_local(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def rows(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: plain(value) for key, value in row.items()} for row in values]


async def export_personal_data(user: User, translate: Any) -> dict[str, Any]:
    """Everything stored about `user`, as plain JSON-ready data (`translate` localizes notes):
    the account's own rows here, then each feature's part (`Feature.personal_data`)."""
    data: dict[str, Any] = {
        "account": {
            key: plain(getattr(user, key))
            for key in (
                "id",
                "email",
                "display_name",
                "role",
                "language",
                "email_confirmed_at",
                "created_at",
                "last_login_at",
                "terms_version",
                "terms_accepted_at",
            )
        },
        "sessions": rows(await UserSession.filter(user=user).values("created_at", "expires_at")),
        # roles in participatory spaces (participation/people: a moderator of one space)
        "space_roles": rows(
            await SpaceRole.filter(user=user).values("space__title", "role", "granted_at")
        ),
        "notifications": rows(
            await Notification.filter(user=user).values(
                "kind", "proposal_id", "comment_id", "created_at", "read_at", "delivery"
            )
        ),
        # the account page (issue #19): how each kind of notification reaches the person, the
        # days a digest was sent, a change of e-mail address waiting for its confirmation
        "notification_preferences": rows(
            await NotificationPreference.filter(user=user).values("kind", "channel", "updated_at")
        ),
        "digests": rows(await Digest.filter(user=user).values("day")),
        "email_changes": rows(
            await EmailChange.filter(user=user).values(
                "new_email", "created_at", "expires_at", "used_at"
            )
        ),
        # the verification (issue #19): the record is in the budgets' part ("residency"), for
        # history; here the postal address given for a letter, the letter, a provider's birth date
        "postal_address": rows(
            await PostalAddress.filter(user=user).values(
                "recipient", "street", "complement", "postcode", "city", "district", "updated_at"
            )
        ),
        "verification_letter": rows(
            await LetterCode.filter(user=user).values(
                "printed_at", "expires_at", "attempts", "used_at"
            )
        ),
        "birth_date_claim": rows(
            await BirthDateClaim.filter(user=user).values("birth_date", "source", "claimed_at")
        ),
    }
    for feature in features.FEATURES:
        if feature.personal_data is not None and feature.personal_data.export is not None:
            data.update(await feature.personal_data.export(user, translate))
    return data


async def delete_account(user: User) -> None:
    """Erase the person's personal data in one transaction; keep what others rely on.

    Erased here: e-mail, name, password, language, sessions, reset tokens, notifications and
    their preferences and digests, a change of e-mail address waiting for confirmation, the
    postal address given for a verification letter, its code and a provider's birth date,
    e-mails waiting to be sent or kept in the outbox, their name in the outbox e-mails of other
    people (replaced by "Former participant"). Each feature erases its part in the same
    transaction (`Feature.personal_data`): pending co-author invitations to their address,
    their name on named consultation answers (the answers stay, anonymous), the exact birth
    date. Kept, attributed to "Former participant": proposals, amendments, comments, budget
    projects. Kept as they are: supports, comment votes, reports (counts stay right), the
    residency row and the register of voters (one person, one vote: the census row stays
    used), ballots (secret). docs/privacy.md has the whole list.
    """
    email = user.email
    async with in_transaction():
        await _scrub_name_from_emails(user.display_name)
        await UserSession.filter(user=user).delete()
        await PasswordResetToken.filter(user=user).delete()
        await Notification.filter(user=user).delete()
        await NotificationPreference.filter(user=user).delete()
        await Digest.filter(user=user).delete()
        await EmailChange.filter(user=user).delete()
        await SpaceRole.filter(user=user).delete()  # a former participant moderates nothing
        # verification (issue #19): the address for a letter, its code, a provider's birth date
        await PostalAddress.filter(user=user).delete()
        await LetterCode.filter(user=user).delete()
        await BirthDateClaim.filter(user=user).delete()
        await mail.OutboxEmail.filter(recipient=email).delete()
        for feature in features.FEATURES:
            if feature.personal_data is not None and feature.personal_data.erase is not None:
                await feature.personal_data.erase(user)
        await User.filter(id=user.id).update(
            email=erased_email(user.id),
            display_name="",
            password_hash=ERASED_PASSWORD_HASH,
            language=None,
            email_confirmed_at=None,
            last_login_at=None,
            terms_version=None,
            terms_accepted_at=None,
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
