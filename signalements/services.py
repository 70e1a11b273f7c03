"""Signalement commands: each is one transaction; the e-mails it records are sent after commit.

Integrity lives in the database: a change of state is one conditional UPDATE (`WHERE state =
<the state it was read in>`), so two staff members acting at once change it once and followers
are told once; "Moi aussi" is an INSERT that a UNIQUE (report, person) key turns into nothing
for a second press (fifty residents at once: fifty rows, one report).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from moderation import domain as moderation_rules
from moderation import services as moderation
from participation import mail
from participation.accounts.domain import email_problem, normalize_email
from participation.accounts.models import Role, User
from participation.audit import audit
from participation.contributions import ModerationState
from participation.i18n import N_, gettext
from participation.notifications import services as notifications
from participation.notifications.services import speaking
from participation.refusals import DomainError, NotFound, refuse
from participation.settings import Settings
from signalements import domain
from signalements.domain import STATE_LABELS, Change, ReportForm, State
from signalements.models import (
    Category,
    EventKind,
    Follower,
    Photo,
    Report,
    ReportEvent,
    ResponseTemplate,
)
from signalements.photos import Processed

KIND = "signalement"  # the content kind (moderation) and the audit log's target kind
UPDATED = "signalement_update"  # the notification kind (declared in the manifest)
NOT_FOLLOWABLE = N_("This report is closed: it cannot be followed any more.")


def link(settings: Settings, report_id: int) -> str:
    return f"{settings.base_url}/signalements/{report_id}"


def follower_key(user: Any, email: str) -> str:
    if user is not None and user.is_authenticated:
        return f"u:{user.id}"
    return f"e:{normalize_email(email)}"


# --- residents: report, follow, reopen ------------------------------------------------------------


@dataclass(frozen=True)
class Created:
    report: Report
    token: str  # the tracking link's secret, shown once


async def description_problem(user: Any, text: str) -> str | None:
    """Why the description may not be posted (moderation's anti-abuse rules): links from a new
    account, the same text again within a day; without an account, the rules of a brand-new
    one (no links). It reads only the person's recent texts: the form runs it with its field
    checks, in one pass (signalements.routes)."""
    if user is not None and user.is_authenticated:
        return await moderation.abuse_problem(user, text, KIND)
    now = timezone.now()
    return moderation_rules.links_problem(text, now, now)


async def create_report(
    settings: Settings,
    form: ReportForm,
    photos: list[Processed],
    user: Any,
    district: str = "",
) -> Created:
    """A new report with its photos; its reporter follows it. The tracking link is shown once
    and, with a contact address, e-mailed (stored encrypted in the outbox until sent)."""
    if len(photos) > domain.MAX_PHOTOS:
        raise refuse(N_("Send at most three photos."), "photos")
    signed_in = user is not None and user.is_authenticated
    text = form.description
    if problem := await description_problem(user, text):
        raise refuse(problem, "description")
    token = domain.new_token()
    now = timezone.now()
    email: mail.OutboxEmail | None = None
    async with in_transaction():
        category = await Category.get_or_none(id=form.place.category_id, active=True)
        if category is None:
            raise refuse(N_("Choose a category."), "category")
        report = await Report.create(
            category_id=category.id,
            description=text,
            address=form.place.address,
            latitude=form.place.latitude,
            longitude=form.place.longitude,
            district=district,
            email=form.email,
            channel=form.channel,
            private=form.private,
            token_hash=domain.token_hash(token),
            author_id=user.id if signed_in and form.channel == domain.Channel.ONLINE else None,
            moderation_state=moderation_rules.initial_state(category.premoderated),
            due_at=domain.due_at(now, category.sla_days),
            created_at=now,
        )
        await ReportEvent.create(
            report_id=report.id,
            kind=EventKind.CREATED,
            public=True,
            state=State.RECEIVED,
            author_id=user.id if signed_in else None,
            created_at=now,
        )
        await Photo.bulk_create(
            [
                Photo(report_id=report.id, data=p.data, width=p.width, height=p.height)
                for p in photos
            ]
        )
        followers = []
        if report.author_id is not None:
            followers.append(Follower(report_id=report.id, key=f"u:{user.id}", user_id=user.id))
        if form.email:
            key = f"e:{form.email}"
            followers.append(Follower(report_id=report.id, key=key, email=form.email))
        await Follower.bulk_create(followers, ignore_conflicts=True)
        if category.premoderated:
            await moderation.open_pending_case(KIND, report.id, report.author_id)
        if form.email:
            email = await _tracking_email(settings, report, token)
    if email is not None:
        await mail.dispatch(email)
    return Created(report, token)


def tracking_path(token: str) -> str:
    return f"/signalements/track?token={token}"


async def _tracking_email(settings: Settings, report: Report, token: str) -> mail.OutboxEmail:
    with speaking(settings.default_language):
        subject = gettext("Your report no. {id} is received").format(id=report.id)
        body = gettext(
            "Hello,\n\nYour report no. {id} ({address}) is received. Follow it, and reopen it if "
            "the problem comes back after it is resolved, with this link (keep it to yourself):"
            "\n\n{link}\n\nYou will receive an e-mail at each change."
        ).format(id=report.id, address=report.address, link=mail.SECRET)
    return await mail.queue_secret_email(
        settings,
        report.email,
        f"[{settings.site_name}] {subject}",
        body,
        settings.base_url + tracking_path(token),
    )


async def by_token(token: str) -> Report | None:
    if not token or len(token) > 100:
        return None
    return await Report.get_or_none(token_hash=domain.token_hash(token)).select_related("category")


async def follow(report_id: int, user: Any, email: str) -> bool:
    """ "Moi aussi": the person follows the report (once: UNIQUE). True when they did not yet.
    One INSERT ... ON CONFLICT DO NOTHING: fifty at once make fifty rows, no error."""
    report = await Report.get_or_none(id=report_id)
    if report is None or report.moderation_state != ModerationState.VISIBLE:
        raise NotFound()
    if report.state not in domain.OPEN_STATES:
        raise DomainError(NOT_FOLLOWABLE)
    signed_in = user is not None and user.is_authenticated
    if not signed_in:
        email = normalize_email(email)
        if problem := email_problem(email):
            raise refuse(problem, "email")
    key = follower_key(user, email)
    before = await Follower.filter(report_id=report_id, key=key).exists()
    if before:
        return False
    try:
        await Follower.bulk_create(
            [
                Follower(
                    report_id=report_id,
                    key=key,
                    user_id=user.id if signed_in else None,
                    email="" if signed_in else email,
                )
            ],
            ignore_conflicts=True,
        )
    except IntegrityError:  # the same person at the same instant: the other one counted
        return False
    return True


async def reopen_by_reporter(settings: Settings, token: str, message: str) -> Report:
    """The reporter (by the tracking link) reopens a report resolved less than 15 days ago."""
    report = await by_token(token)
    if report is None:
        raise NotFound()
    message = message.strip()
    if not message or len(message) > domain.MESSAGE_MAX:
        raise refuse(N_("Say in a few words why the problem is not solved."), "message")
    return await _reopen(settings, report.id, message, None)


async def _reopen(settings: Settings, report_id: int, message: str, by_user: Any) -> Report:
    emails: list[mail.OutboxEmail] = []
    async with in_transaction():
        report = await Report.get_or_none(id=report_id)
        if report is None:
            raise NotFound()
        target = domain.reopen_target(
            report.state, report.resolved_at, timezone.now(), by_staff=by_user is not None
        )
        emails = await _move(settings, report, target, message, "", by_user, EventKind.REOPENED)
    await notifications.dispatch(emails)
    return report


# --- staff: change state, notes, assignment, merge ----------------------------------------------


async def change_state(
    settings: Settings,
    report_id: int,
    change: Change,
    photo: Processed | None,
    by_user: Any,
) -> int:
    """Move the report (refused out of order) with its public message and an optional "after"
    photo; each follower is told once. Returns how many people were notified."""
    async with in_transaction():
        report = await Report.get_or_none(id=report_id)
        if report is None:
            raise NotFound()
        domain.check_transition(report.state, change.target)
        emails = await _move(
            settings, report, change.target, change.message, change.body, by_user, EventKind.STATE
        )
        if photo is not None:
            event = await ReportEvent.filter(report_id=report.id).order_by("-id").first()
            await Photo.create(
                report_id=report.id,
                event_id=event.id if event else None,
                data=photo.data,
                width=photo.width,
                height=photo.height,
            )
    await notifications.dispatch(emails)
    return len(emails)


async def reopen_by_staff(settings: Settings, report_id: int, message: str, by_user: Any) -> int:
    message = message.strip()
    if not message or len(message) > domain.MESSAGE_MAX:
        raise refuse(N_("Write the public message that tells residents what happens."), "message")
    await _reopen(settings, report_id, message, by_user)
    return 1


async def _move(
    settings: Settings,
    report: Report,
    target: State,
    message: str,
    body: str,
    by_user: Any,
    kind: str,
) -> list[mail.OutboxEmail]:
    """Inside the caller's transaction: the conditional UPDATE, the public event, the audit and
    the followers' notifications. DomainError when another change came first."""
    now = timezone.now()
    resolved_at = now if target == State.RESOLVED else None
    moved = await Report.filter(id=report.id, state=report.state).update(
        state=target, resolved_at=resolved_at, updated_at=now
    )
    if not moved:
        raise DomainError(N_("This report changed meanwhile: reload the page."))
    event = await ReportEvent.create(
        report_id=report.id,
        kind=kind,
        public=True,
        state=target,
        message=message,
        body=body,
        author_id=getattr(by_user, "id", None),
        created_at=now,
    )
    if by_user is not None:
        await audit(by_user, f"signalement_{kind}", KIND, report.id, report.state.value, target)
    report.state, report.resolved_at = target, resolved_at
    return await _notify(settings, report, event.id, target, message, body)


async def _notify(
    settings: Settings,
    report: Report,
    event_id: int,
    target: State,
    message: str,
    body: str = "",
) -> list[mail.OutboxEmail]:
    """Each follower once for this event: accounts through the core notifications (their
    language, the UNIQUE (person, event key)), addresses without an account by e-mail."""
    key = f"signalement:{report.id}:event:{event_id}"
    followers = await Follower.filter(report_id=report.id).values_list("id", "user_id", "email")
    user_ids = [u for _, u, _ in followers if u is not None]
    text = N_("Report no. {number} ({address}) is now: {state}.\n\n{answer}{body}")
    params: dict[str, Any] = {
        "number": str(report.id),
        "address": report.address,
        "state": STATE_LABELS[target],
        "status": STATE_LABELS[target],
        "title": f"{report.id}",
        "answer": message,
        "body": "",
    }
    if body:
        params["body"] = "\n\n" + body
    emails = await notifications.notify_users(
        settings,
        UPDATED,
        key,
        user_ids,
        text,
        link(settings, report.id),
        translated=("state", "status"),
        **params,
    )
    with speaking(settings.default_language):
        subject = f"[{settings.site_name}] " + gettext("A report you follow has changed")
        worded = gettext(text).format(**{**params, "state": gettext(params["state"])})
        stop = gettext("To stop following this report: {link}").format(link=mail.UNSUBSCRIBE_LINK)
        by_address = {e: follower_id for follower_id, u, e in followers if u is None and e}
        for address, follower_id in sorted(by_address.items()):
            emails.append(
                await mail.queue_email(
                    address,
                    subject,
                    f"{worded}\n\n{link(settings, report.id)}\n\n{stop}",
                    unsubscribe=mail.unsubscribe_value(follower_id, FOLLOWER_EMAILS),
                )
            )
    return emails


# A follower known by an address only stops the e-mails with the one-click link they carry
# (the manifest's EmailSubscription; the core's unsubscribe route calls these)
FOLLOWER_EMAILS = "signalement_follower"


async def stop_following(follower_id: int) -> None:
    await Follower.filter(id=follower_id, user_id=None).delete()


async def stopped_following(follower_id: int) -> bool:
    return not await Follower.exists(id=follower_id)


async def add_note(report_id: int, text: str, by_user: Any) -> ReportEvent:
    """An internal note: never public, never notified."""
    text = text.strip()
    if not text:
        raise refuse(N_("Write the note."), "note")
    if len(text) > domain.MESSAGE_MAX:
        raise refuse(N_("Write at most {max} characters here."), "note", max=domain.MESSAGE_MAX)
    if not await Report.exists(id=report_id):
        raise NotFound()
    return await ReportEvent.create(
        report_id=report_id,
        kind=EventKind.NOTE,
        public=False,
        message=text,
        author_id=by_user.id,
        created_at=timezone.now(),
    )


async def assign(report_ids: list[int], assignee_id: int | None, by_user: Any) -> int:
    """Bulk assignment to a staff member (None: nobody). Returns how many reports."""
    if assignee_id is not None and not await User.exists(
        id=assignee_id, role=Role.ADMIN, deleted_at__isnull=True
    ):
        raise refuse(N_("Choose a member of staff."), "assignee")
    ids = sorted(set(report_ids))
    if not ids:
        raise refuse(N_("Tick at least one report."), "reports")
    now = timezone.now()
    async with in_transaction():
        changed = await Report.filter(id__in=ids).update(assignee_id=assignee_id)
        existing = await Report.filter(id__in=ids).values_list("id", flat=True)
        await ReportEvent.bulk_create(
            [
                ReportEvent(
                    report_id=i,
                    kind=EventKind.ASSIGNED,
                    public=False,
                    message=str(assignee_id or ""),
                    author_id=by_user.id,
                    created_at=now,
                )
                for i in existing
            ]
        )
        await audit(
            by_user, "signalement_assigned", KIND, None, "", {"ids": ids, "to": assignee_id}
        )
    return int(changed)


async def merge(settings: Settings, source_id: int, target_id: int, by_user: Any) -> int:
    """The source report (a duplicate) is merged into the target: its followers and its
    reporter follow the target, it is closed as merged, and the followers of both are told.
    Refused into itself or when one is closed. Returns how many people were notified."""
    if source_id == target_id:
        raise DomainError(domain.MERGE_ITSELF)
    async with in_transaction():
        # both rows locked in id order: two opposite merges at once cannot deadlock
        rows = {
            r.id: r
            for r in await Report.filter(id__in=[source_id, target_id])
            .order_by("id")
            .select_for_update()
        }
        source, target = rows.get(source_id), rows.get(target_id)
        if source is None or target is None:
            raise NotFound()
        domain.check_merge(source.id, target.id, source.state, target.state)
        moved = await Report.filter(id=source.id, state=source.state).update(
            state=State.MERGED, merged_into_id=target.id, updated_at=timezone.now()
        )
        if not moved:
            raise DomainError(N_("This report changed meanwhile: reload the page."))
        followers = await Follower.filter(report_id=source.id)
        await Follower.bulk_create(
            [
                Follower(report_id=target.id, key=f.key, user_id=f.user_id, email=f.email)
                for f in followers
            ],
            ignore_conflicts=True,
        )
        now = timezone.now()
        message = gettext("Merged into report no. {number}.").format(number=target.id)
        await ReportEvent.create(
            report_id=source.id,
            kind=EventKind.MERGED,
            public=True,
            state=State.MERGED,
            message=message,
            author_id=by_user.id,
            created_at=now,
        )
        target_event = await ReportEvent.create(
            report_id=target.id,
            kind=EventKind.MERGED,
            public=True,
            state=target.state,
            message=gettext("Report no. {number} was merged into this one.").format(
                number=source.id
            ),
            author_id=by_user.id,
            created_at=now,
        )
        await audit(by_user, "signalement_merged", KIND, source.id, "", {"into": target.id})
        # the source's followers now follow the target too: one e-mail each, about the target
        emails = await _notify(
            settings, target, target_event.id, target.state, target_event.message
        )
    await notifications.dispatch(emails)
    return len(emails)


M = TypeVar("M", bound=Model)


async def _created_or_updated(model: type[M], row_id: int | None, values: dict[str, Any]) -> M:
    """A new row of `model` (no id), or the row `row_id` changed (NotFound: none such); staff's
    forms of categories and response templates."""
    if row_id is None:
        return await model.create(**values)
    found = await model.get_or_none(id=row_id)
    if found is None:
        raise NotFound()
    await model.filter(id=row_id).update(**values)
    return found


async def save_category(
    category_id: int | None, form: domain.CategoryForm, by_user: Any
) -> Category:
    values: dict[str, Any] = {
        "name": form.name,
        "icon": form.icon,
        "service": form.service,
        "sla_days": form.sla_days,
        "premoderated": form.premoderated,
    }
    async with in_transaction():
        category = await _created_or_updated(Category, category_id, values)
        await audit(
            by_user, "signalement_category", "signalement_category", category.id, "", values
        )
    return category


async def save_template(
    template_id: int | None, form: domain.TemplateForm, by_user: Any
) -> ResponseTemplate:
    """Add or change a response template (staff); the audit log keeps who wrote what."""
    values: dict[str, Any] = {
        "category_id": form.category_id,
        "title": form.title,
        "text": form.text,
    }
    async with in_transaction():
        template = await _created_or_updated(ResponseTemplate, template_id, values)
        await audit(
            by_user, "signalement_template", "signalement_template", template.id, "", values
        )
    return template


async def delete_template(template_id: int, by_user: Any) -> None:
    """Messages already sent keep their text: a template is only where staff start from."""
    async with in_transaction():
        if not await ResponseTemplate.filter(id=template_id).delete():
            raise NotFound()
        await audit(by_user, "signalement_template_deleted", "signalement_template", template_id)
