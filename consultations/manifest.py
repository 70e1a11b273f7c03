"""Consultations, declared once (participation/features.py)."""

from __future__ import annotations

from consultations import api, counter, demo, jobs, privacy, queries, routes
from consultations.content import ConsultationAnswerKind
from consultations.models import Consultation, Phase, Question, TextReview
from participation import features
from participation.auditlog.wording import AuditTarget, AuditWording, AuditWords, names_in
from participation.counter.domain import CHANNEL_LABELS
from participation.features import (
    AdminLine,
    Commentable,
    DemoContext,
    Feature,
    NavLink,
    PersonalData,
)
from participation.i18n import N_

PHASES: dict[str, str] = {
    Phase.PREPARATION.value: N_("in preparation"),
    Phase.OPEN.value: N_("open"),
    Phase.CLOSED.value: N_("closed"),
}


_titles = names_in(Consultation, "title")


_questions = names_in(Question, "text")


async def _questions_of_texts(ids: list[int]) -> dict[int, str]:
    # an answer is named by its question only: the text may hold personal data
    rows = await TextReview.filter(id__in=ids).values_list("id", "question__text")
    return {int(i): str(text) for i, text in rows}


AUDIT_WORDS = AuditWords(
    actions=(
        AuditWording("consultation_created", N_("{actor} created {target}")),
        AuditWording("consultation_updated", N_("{actor} edited {target}")),
        AuditWording(
            "consultation_phase",
            N_("{actor} moved {target} from “{before_phase}” to “{after_phase}”"),
            {"before_phase": PHASES, "after_phase": PHASES},
        ),
        AuditWording(
            "consultation_question_added",
            N_("{actor} added the question “{after_text}” to {target}"),
        ),
        AuditWording(
            "consultation_question_edited",
            N_("{actor} edited the question “{after_text}” of {target}"),
        ),
        AuditWording(
            "consultation_question_deleted",
            N_("{actor} deleted the question “{before_text}” of {target}"),
        ),
        AuditWording(
            "consultation_results_requested", N_("{actor} asked for the results of {target} again")
        ),
        AuditWording(
            "consultation_text_approved", N_("{actor} approved a free-text answer to {target}")
        ),
        AuditWording("consultation_text_hidden", N_("{actor} hid a free-text answer to {target}")),
        AuditWording("consultation_outcome", N_("{actor} published the outcome of {target}")),
        AuditWording(
            "counter_answer",
            N_("{actor} recorded answers to {target} {after_channel}, in a person's name"),
            {"after_channel": {str(c): label for c, label in CHANNEL_LABELS.items()}},
        ),
    ),
    targets=(
        AuditTarget(
            "consultation",
            N_("the consultation “{name}”"),
            _titles,
            numbered=N_("the consultation no. {id}"),
            in_space=lambda space: Consultation.filter(space_id=space).values("id"),
        ),
        AuditTarget(
            "consultation_text",
            N_("the question “{name}”"),
            _questions,
            numbered=N_("the question no. {id}"),
        ),
        AuditTarget(
            "consultation_answer",
            N_("a free-text answer to the question “{name}”"),
            _questions_of_texts,
            numbered=N_("the free-text answer no. {id}"),
        ),
    ),
)


async def _demo(context: DemoContext) -> None:
    await demo.load(context.settings, context.users)


FEATURE = Feature(
    name="consultations",
    routes=[*routes.routes, *counter.routes],
    models=["consultations.models"],
    jobs=jobs.FUNCTIONS,
    cron=jobs.CRON_JOBS,
    content_kinds=[ConsultationAnswerKind()],
    personal_data=PersonalData(export=privacy.export, erase=privacy.erase),
    demo=_demo,
    nav=[NavLink(N_("Consultations"), "consultations:index")],
    admin=[AdminLine(30, (NavLink(N_("Manage consultations"), "consultations:admin_index"),))],
    depends_on=("moderation",),  # free-text answers are moderated
    feeds=[
        features.FeedSource(
            "consultations",
            N_("Consultation results"),
            queries.feed_results,
            "consultations:index",
            space_entries=queries.space_feed_results,
        )
    ],
    space_components=queries.space_components,
    outcomes=queries.outcomes,
    participants=queries.participants,
    activity=queries.activity,
    audit_words=AUDIT_WORDS,
    counter_section=counter.section,
    api=api.RESOURCES,
    # comments on a published outcome's page (issue #18: participation/commenting.py)
    commentables=[
        Commentable(
            "consultation_outcome",
            N_("consultation outcome"),
            queries.comment_target,
            spaces_of=queries.locked_spaces,
            # the published outcomes of the consultations out of preparation (their page's rule)
            public=lambda: (
                Consultation.exclude(phase=Phase.PREPARATION)
                .filter(outcome_published_at__isnull=False)
                .values("id")
            ),
        )
    ],
)
