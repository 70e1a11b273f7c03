"""Consultation pages: thin handlers, permission -> service -> response."""

from __future__ import annotations

import json
import secrets
from typing import Any

from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tortoise import timezone

from consultations import domain, queries, services, texts
from consultations import print as printable
from consultations.forms import (
    parse_consultation_form,
    parse_outcome_form,
    parse_question_form,
)
from consultations.models import (
    Audience,
    Consultation,
    Phase,
    PhaseSwitch,
    QuestionKind,
    Result,
    ScaleStyle,
)
from consultations.questions import KINDS
from consultations.questions.majority import grade_colours, grade_labels
from consultations.questions.scale import agreement_labels, scale_label
from participation import (
    assets,
    commenting,
    formatting,
    i18n,
    licence,
    pdf,
    related,
    sharedparts,
    web,
)
from participation.formfields import local_input_value
from participation.i18n import gettext, ngettext
from participation.numbers import parse_id
from participation.pagecache import cached_for_visitors
from participation.permissions import can_administer, can_moderate
from participation.refusals import NotFound
from participation.richtext import markdown_of, to_text
from participation.spaces import audience
from participation.spaces import services as spaces
from participation.spaces.domain import AudienceRule
from participation.templating import csrf_token, flash, render, render_part, templates
from participation.urls import url

DIGEST_LENGTH = 64  # a text is named by the SHA-256 of the text as answered (hex)


async def _consultation(request: Request, public: bool = True) -> Consultation:
    consultation = await web.object_or_404(request, Consultation, "consultation_id")
    if public and consultation.phase == Phase.PREPARATION:
        if not can_administer(request.scope["user"]):
            raise NotFound()
    return consultation


def _visitor(request: Request, create: bool = False) -> str | None:
    """A random id for a visitor without an account (audience "everyone"), in the session."""
    visitor = request.session.get("visitor")
    if visitor is None and create:
        visitor = request.session["visitor"] = secrets.token_urlsafe(24)
    return visitor


# --- public pages ----------------------------------------------------------------------------


async def index(request: Request) -> Response:
    consultations = await queries.public_list()
    return render(request, "consultations/index.html", {"consultations": consultations})


async def detail(request: Request) -> Response:
    consultation = await _consultation(request)
    context = {
        "consultation": consultation,
        "questions": await queries.questionnaire(consultation.id),
        "is_open": domain.answering_is_open(
            consultation.phase, consultation.closes_at, timezone.now()
        ),
        "results_public": queries.results_are_public(consultation),
        "turnout": await queries.turnout(consultation.id),
        "local_input_value": local_input_value,
        "related": await related.links_for("consultation", consultation.id),
    }
    return render(request, "consultations/detail.html", context)


async def questionnaire_pdf(request: Request) -> Response:
    """The questionnaire on paper (consultations/print.py), for whoever may see the
    consultation: residents answering at the town hall or at a meeting."""
    consultation = await _consultation(request)
    content = await printable.questionnaire_pdf(consultation, web.settings_of(request).site_name)
    return pdf.response(content, f"consultation-{consultation.id}-questionnaire.pdf")


async def _answer_context(
    request: Request, consultation: Consultation, values: dict[str, list[str]]
) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "questions": await queries.questionnaire(consultation.id),
        "values": values,
        "errors": {},
        "grades": grade_labels(),
        "agreement": agreement_labels(),
    }


async def _shared_answer_body(
    request: Request, consultation: Consultation, values: dict[str, list[str]], answered: bool
) -> Markup | None:
    """The questionnaire as every resident gets it, its questions read and rendered once per
    write and shared (participation/sharedparts.py), with this person's own state filled in:
    their CSRF token and the answers they gave (an option ticked or chosen, a text or number
    written). Its key: the consultation, the address, the language, the settings' version,
    whether they have answered already (the notice and the button's words), and the
    generation (every write that may change a page empties it: a question or an option edited,
    the consultation opened or closed); a request served from the store reads no question nor
    option. None (the page is rendered for them alone) when parts are not kept (the cache off,
    Redis down)."""
    # the questionnaire reads nothing of the query: any query shares the part
    key = sharedparts.key_of(request, "answer", consultation.id, answered, query="")

    async def read_and_render() -> str:
        context = await _answer_context(request, consultation, {})
        return render_part(
            request,
            "consultations/_answer_body.html",
            {  # nothing of the person's: holes for their answers and token
                **context,
                "already_answered": answered,
                "user": sharedparts.SHARED_RESIDENT,
                "csrf_token": sharedparts.hole("csrf"),
                "shared": True,
            },
        )

    part = await sharedparts.shared(request, key, read_and_render)
    if part is None:
        return None
    return sharedparts.fill_in(
        part, {"csrf": csrf_token(request), "first": "", "in": "", "is": ""}, _answer_values(values)
    )


# the words an answer's hole puts in place (consultations/questions/*_answer.html)
_CHOSEN = ("checked", "selected")


def _answer_values(values: dict[str, list[str]]) -> dict[tuple[str, ...], str]:
    """The questionnaire's holes that this person's answers fill (every other one empty): a
    text or number written, `("first", field)`, escaped; an option among those chosen, `("in",
    word, field, value)`; the option given for a field, `("is", word, field, value)`."""
    named: dict[tuple[str, ...], str] = {}
    for field, given in values.items():
        if not given:
            continue
        named["first", field] = str(escape(given[0]))
        for word in _CHOSEN:
            named["is", word, field, given[0]] = word
            for value in given:
                named["in", word, field, value] = word
    return named


def _form_values(stored: dict[str, Any] | None) -> dict[str, list[str]]:
    """A stored response as form values, to show it again for editing."""
    values: dict[str, list[str]] = {}
    for key, value in (stored or {}).items():
        if key.endswith("-other") or isinstance(value, str):  # stored as sanitized rich text
            values[f"q{key}"] = [to_text(value)]
        elif isinstance(value, list):
            values[f"q{key}"] = [str(v) for v in value]
            for rank, option in enumerate(value, start=1):
                values[f"q{key}-o{option}"] = [str(rank)]
        elif isinstance(value, dict):
            for option, grade in value.items():
                values[f"q{key}-o{option}"] = [str(grade)]
        else:
            values[f"q{key}"] = [str(value)]
    return values


async def _kept_consultation(request: Request) -> tuple[Consultation, AudienceRule | None] | None:
    """The consultation of the address and its space's audience rule, read once per write and
    kept for every resident (participation/sharedparts.py, as the questionnaire itself:
    `_shared_answer_body`); None when parts are not kept (the cache off, Redis down), when
    there is no such consultation or it is being prepared (the route reads it and says so)."""
    consultation_id = request.path_params["consultation_id"]

    async def read() -> tuple[Consultation | None, AudienceRule | None]:
        consultation = await Consultation.get_or_none(id=consultation_id)
        if consultation is None:
            return None, None
        return consultation, await audience.rule_of(consultation.space_id)

    key = sharedparts.key_of(request, "answering", consultation_id, query="")
    kept = await sharedparts.kept(request, key, read)
    if kept is None or kept[0] is None or kept[0].phase == Phase.PREPARATION:
        return None
    return kept  # type: ignore[no-any-return]


async def answer(request: Request) -> Response:
    user = request.scope["user"]
    # a resident asking the questionnaire: the consultation and its space's rule as kept
    kept = (
        await _kept_consultation(request)
        if request.method == "GET" and user.is_authenticated
        else None
    )
    consultation = kept[0] if kept else await _consultation(request)
    settings = web.settings_of(request)
    now = timezone.now()
    if not domain.answering_is_open(consultation.phase, consultation.closes_at, now):
        context = {"consultation": consultation, "errors": {}}
        return render(request, "consultations/closed.html", context, status_code=403)
    if problem := (
        await services.audience_refusal_under(consultation, user, kept[1])
        if kept
        else await services.audience_refusal(consultation, user)
    ):
        errors = web.errors_of([problem], audience.shown_value)
        context = {"consultation": consultation, "errors": errors}
        return render(request, "consultations/not_allowed.html", context, status_code=403)
    visitor = _visitor(request, create=True)
    who = services.who_of(user, visitor)
    if request.method == "GET":
        stored = await services.current_answers(settings, consultation.id, who)
        given = _form_values(stored)
        if user.is_authenticated:
            body = await _shared_answer_body(request, consultation, given, stored is not None)
            if body is not None:
                context = {"consultation": consultation, "errors": {}, "shared_body": body}
                return render(request, "consultations/answer.html", context)
        context = await _answer_context(request, consultation, given)
        context["already_answered"] = stored is not None
        return render(request, "consultations/answer.html", context)
    async with request.form() as form:
        items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    try:
        replaced = await services.submit_response(settings, consultation.id, user, visitor, items)
    except services.Refused as refused:
        values: dict[str, list[str]] = {}
        for key, value in items:
            values.setdefault(key, []).append(value)
        context = await _answer_context(request, consultation, values)
        context["errors"] = web.errors_of(refused.problems)
        return render(request, "consultations/answer.html", context, status_code=422)
    if replaced:
        flash(request, gettext("Your answers are updated. You can change them until closing."))
    else:
        flash(
            request,
            gettext("Thank you: your answers are recorded. You can change them until closing."),
        )
    return web.redirect(url("consultations:detail", consultation_id=consultation.id))


async def _results_of(request: Request) -> Consultation:
    """A consultation whose results the person may see: public ones, and staff's preview (the
    results page, its PDF and its exports)."""
    consultation = await _consultation(request)
    if not queries.results_are_public(consultation) and not can_administer(request.scope["user"]):
        raise NotFound()
    return consultation


async def _public_results(request: Request) -> tuple[Consultation, Any]:
    consultation = await _results_of(request)
    return consultation, await queries.stored_result(consultation.id)


RENDERED_RESULTS_MAX = 100  # rendered results kept per web process


def _rendered_results(request: Request) -> dict[tuple[Any, ...], Markup]:
    state = request.app.state
    if not hasattr(state, "consultation_results"):
        state.consultation_results = {}
    return state.consultation_results  # type: ignore[no-any-return]


def results_body(
    request: Request,
    consultation: Consultation,
    views: list[queries.QuestionView],
    result: Result,
    shown: dict[texts.Key, int],
) -> Markup:
    """The results part of the page, rendered once per stored result (`input_digest`: what it
    was computed from), language, questionnaire, free texts visible now (`shown`: a text hidden
    by a moderator leaves the page at once) and signed in or not (the report links), then kept
    in memory: the stored JSON is decoded and the charts drawn again only when one changes."""
    signed_in = bool(request.scope["user"].is_authenticated)
    questionnaire = tuple(
        (
            view.number,
            view.question.id,
            view.question.kind,
            view.question.text,
            view.question.scale_style,
            tuple((option.id, option.label) for option in view.options),
        )
        for view in views
    )
    key = (
        consultation.id,
        consultation.phase,
        i18n.current_language.get(),
        result.id,
        result.input_digest,
        result.computed_at,
        result.sanitized_with,
        questionnaire,
        tuple(sorted(shown.items())),
        signed_in,
    )
    rendered = _rendered_results(request)
    body = rendered.get(key)
    if body is None:
        content, text_ids = texts.published_content(json.loads(result.content), shown)
        context = {
            "consultation": consultation,
            "questions": views,
            "content": content,
            "text_ids": text_ids,
            "signed_in": signed_in,
            "sanitized_with": result.sanitized_with,  # the listed texts' (shown as stored)
            "computed_at": result.computed_at,
            "grades": grade_labels(),
            "grade_colours": grade_colours(),
            "scale_label": scale_label,
        }
        html = templates.env.get_template("consultations/_results_body.html").render(context)
        # kept with what it needs in the page's head, read once (assets.Known): the page
        # around it reads only the rest of its content (issue #23)
        body = assets.known(html, assets.needs(html))
        if len(rendered) >= RENDERED_RESULTS_MAX:
            rendered.pop(next(iter(rendered)))  # the oldest
        rendered[key] = body
    return body


async def _kept_results(request: Request) -> tuple[Consultation, Markup | None] | None:
    """The public results of the address's consultation as every resident sees them: the
    consultation and the results' part (`results_body`, with its report links), read and
    rendered once per write and kept (participation/sharedparts.py), as visitors who are not
    signed in get the whole page from the page cache. Nothing on it is the person's: the page
    around it (the layout, their header) is rendered per request. The key: the consultation,
    the language, the settings' version, the generation (the results job computing them again,
    a text hidden, the consultation closed: each empties it). None, and the route reads and
    renders for the person as before: parts not kept (the cache off, Redis down), no such
    consultation, or results not public (staff's preview, or not found)."""
    consultation_id = request.path_params["consultation_id"]

    async def read() -> tuple[Consultation, Markup | None] | None:
        consultation = await Consultation.get_or_none(id=consultation_id)
        if consultation is None or not queries.results_are_public(consultation):
            return None
        result = await queries.result_row(consultation.id)
        if result is None:
            return consultation, None
        views = await queries.questionnaire(consultation.id)
        shown = await texts.published(consultation.id)
        return consultation, results_body(request, consultation, views, result, shown)

    # the page reads nothing of the query; signed in: the report links
    key = sharedparts.key_of(request, "results", consultation_id, True, query="")
    return await sharedparts.kept(request, key, read)  # type: ignore[no-any-return]


async def results(request: Request) -> Response:
    """Read from the stored aggregate (five queries whatever the number of responses); visitors
    who are not signed in get the whole page from the page cache, residents its content kept
    (`_kept_results`: one statement, the session's)."""
    if request.scope["user"].is_authenticated and (kept := await _kept_results(request)):
        consultation, body = kept
        return render(
            request,
            "consultations/results.html",
            {"consultation": consultation, "body": body, "public": True},
        )
    consultation = await _results_of(request)
    result = await queries.result_row(consultation.id)
    views = await queries.questionnaire(consultation.id)
    shown = await texts.published(consultation.id)
    context: dict[str, Any] = {
        "consultation": consultation,
        "body": results_body(request, consultation, views, result, shown) if result else None,
        "public": queries.results_are_public(consultation),
    }
    return render(request, "consultations/results.html", context)


async def results_pdf(request: Request) -> Response:
    """The results page to print (consultations/print.py): seen by whoever sees the page."""
    consultation = await _results_of(request)
    content = await printable.results_pdf(
        consultation,
        web.settings_of(request).site_name,
        public=queries.results_are_public(consultation),
    )
    return pdf.response(content, f"consultation-{consultation.id}-resultats.pdf")


async def results_csv(request: Request) -> Response:
    consultation, stored = await _public_results(request)
    if stored is None:
        raise NotFound()
    views = await queries.questionnaire(consultation.id)
    content = queries.aggregates_csv(stored[0], views)
    filename = f"consultation-{consultation.id}-resultats.csv"
    return web.attachment(content, "text/csv; charset=utf-8", filename, open_data=True)


async def results_json(request: Request) -> Response:
    consultation, stored = await _public_results(request)
    if stored is None:
        raise NotFound()
    views = await queries.questionnaire(consultation.id)
    return JSONResponse(queries.export_json(consultation, stored[0], views), headers=licence.HEADER)


async def responses_csv(request: Request) -> Response:
    consultation = await _consultation(request)
    if consultation.phase != Phase.CLOSED and not can_administer(request.scope["user"]):
        raise NotFound()
    views = await queries.questionnaire(consultation.id)
    content = await queries.responses_csv(web.settings_of(request), consultation.id, views)
    filename = f"consultation-{consultation.id}-reponses.csv"
    return web.attachment(content, "text/csv; charset=utf-8", filename, open_data=True)


async def outcome(request: Request) -> Response:
    consultation = await _consultation(request)
    if consultation.outcome_published_at is None:
        raise NotFound()
    context = {
        "consultation": consultation,
        "questions": await queries.questionnaire(consultation.id),
        "comments": await commenting.section(
            request,
            "consultation_outcome",
            consultation.id,
            queries.outcome_comment_target(consultation),
        ),
    }
    return render(request, "consultations/outcome.html", context)


# --- staff -----------------------------------------------------------------------------------


def _values_of(consultation: Consultation | None) -> dict[str, str]:
    if consultation is None:
        return {"anonymous": "on", "audience": Audience.SIGNED_IN.value}
    return {
        "title": consultation.title,
        "context": markdown_of(consultation.context),  # staff write Markdown (issue #21)
        "opens_at": local_input_value(consultation.opens_at),
        "closes_at": local_input_value(consultation.closes_at),
        "audience": consultation.audience.value,
        "district": consultation.district or "",
        "anonymous": "on" if consultation.anonymous else "",
        "results_visible_while_open": "on" if consultation.results_visible_while_open else "",
        "space": str(consultation.space_id or ""),
    }


async def admin_consultation_form(request: Request) -> Response:
    """A new consultation (no id in the path), or a consultation's settings."""
    user = web.require(request, can_administer)
    consultation = None
    if "consultation_id" in request.path_params:
        consultation = await _consultation(request, public=False)

    async def save(data: dict[str, str]) -> str:
        form = web.accepted(parse_consultation_form(data))
        if consultation is None:
            saved_id = await services.save_consultation(form, by_user=user)
            flash(request, gettext("The consultation is created. Add its questions."))
        else:
            saved_id = await services.save_consultation(form, consultation.id, by_user=user)
            flash(request, gettext("The consultation is saved."))
        return url("consultations:admin", consultation_id=saved_id)

    context = {
        "consultation": consultation,
        "values": _values_of(consultation),
        "audiences": list(Audience),
        "spaces": await spaces.choices(consultation.space_id if consultation else None),
    }
    return await web.form_page(request, "consultations/admin_form.html", context, save)


async def admin_page(request: Request) -> Response:
    web.require(request, can_administer)
    consultation = await _consultation(request, public=False)
    context = {
        "consultation": consultation,
        "questions": await queries.questionnaire(consultation.id),
        "phases": list(Phase),
        "turnout": await queries.turnout(consultation.id),
        "has_result": await queries.stored_result(consultation.id) is not None,
        "switches": await PhaseSwitch.filter(consultation_id=consultation.id)
        .select_related("by_user")
        .order_by("at"),
    }
    return render(request, "consultations/admin_consultation.html", context)


async def admin_phase(request: Request) -> Response:
    user = web.require(request, can_administer)
    consultation = await _consultation(request, public=False)
    data = await web.form_data(request)
    target = data.get("phase", "")
    if target not in Phase._value2member_map_:
        raise HTTPException(status_code=400)
    early = domain.closing_early(consultation.phase, consultation.closes_at, timezone.now())
    if target == Phase.CLOSED and early and data.get("confirm") != "yes":
        # a step that works without JavaScript: the page says what closing now means
        return web.redirect(url("consultations:admin_close", consultation_id=consultation.id))
    await services.switch_phase(consultation.id, Phase(target), user)
    flash(request, gettext("The phase is changed."))
    return web.redirect(url("consultations:admin", consultation_id=consultation.id))


async def admin_close(request: Request) -> Response:
    """Confirm closing before the announced time (or with none): answers stop at once."""
    web.require(request, can_administer)
    consultation = await _consultation(request, public=False)
    if not domain.closing_early(consultation.phase, consultation.closes_at, timezone.now()):
        return web.redirect(url("consultations:admin", consultation_id=consultation.id))
    context = {"consultation": consultation, "turnout": await queries.turnout(consultation.id)}
    return render(request, "consultations/admin_close.html", context)


def _question_values(view: queries.QuestionView | None) -> dict[str, str]:
    """The question form's fields: a new question's, or the question `view` shows."""
    if view is None:
        return {"required": "on", "kind": QuestionKind.SINGLE.value}
    q = view.question
    return {
        "kind": q.kind.value,
        "text": q.text,
        "help_text": q.help_text,
        "required": "on" if q.required else "",
        "options": "\n".join(o.label for o in view.options),
        "min_choices": str(q.min_choices),
        "max_choices": "" if q.max_choices is None else str(q.max_choices),
        "allow_other": "on" if q.allow_other else "",
        "scale_style": q.scale_style.value,
        "min_value": "" if q.min_value is None else f"{q.min_value:g}",
        "max_value": "" if q.max_value is None else f"{q.max_value:g}",
        "show_if": f"{q.show_if_question_id}:{q.show_if_option_id}"
        if q.show_if_question_id
        else "",
    }


async def admin_question(request: Request) -> Response:
    user = web.require(request, can_administer)
    consultation = await _consultation(request, public=False)
    views = await queries.questionnaire(consultation.id)
    raw_id = request.path_params.get("question_id")
    view = next((v for v in views if v.question.id == raw_id), None)
    if raw_id is not None and view is None:
        raise NotFound()  # a question of another consultation
    question_id = view.question.id if view else None

    async def save(data: dict[str, str]) -> str:
        form = web.accepted(parse_question_form(data))
        await services.save_question(consultation.id, form, question_id, by_user=user)
        flash(request, gettext("The question is saved."))
        return url("consultations:admin", consultation_id=consultation.id)

    # a question may show only if an earlier one was answered so
    earlier = views[: views.index(view)] if view is not None else views
    context = {
        "consultation": consultation,
        "question_id": question_id,
        "conditions": [v for v in earlier if v.kind.offers_choices],
        "kinds": list(KINDS.values()),
        "scale_styles": list(ScaleStyle),
        "values": _question_values(view),
    }
    return await web.form_page(request, "consultations/question_form.html", context, save)


async def admin_delete_question(request: Request) -> Response:
    user = web.require(request, can_administer)
    consultation = await _consultation(request, public=False)
    try:
        await services.delete_question(
            consultation.id, request.path_params["question_id"], by_user=user
        )
    except services.Refused as refused:
        flash(request, web.errors_of(refused.problems)["form"], "error")
    else:
        flash(request, gettext("The question is deleted."))
    return web.redirect(url("consultations:admin", consultation_id=consultation.id))


async def admin_results(request: Request) -> Response:
    user = web.require(request, can_administer)
    consultation = await _consultation(request, public=False)
    await services.request_results(consultation.id, by_user=user)
    flash(request, gettext("The results are computed in the background. Reload in a moment."))
    return web.redirect(url("consultations:admin", consultation_id=consultation.id))


async def admin_texts(request: Request) -> Response:
    """The free-text answers that the results job has read, as the results show them (issue
    #21: stored so, no sealed answer opened, no bleach), each approved or rejected here."""
    user = web.require(request, can_moderate)
    consultation = await _consultation(request, public=False)
    views = await queries.questionnaire(consultation.id)
    if request.method == "POST":
        data = await web.form_data(request)
        question_id = parse_id(data.get("question_id", ""))
        if question_id is None or question_id not in {v.question.id for v in views}:
            raise NotFound()  # a question of another consultation
        digest, decision = data.get("digest", ""), data.get("decision") == "approve"
        if len(digest) != DIGEST_LENGTH or not await services.review_text(
            question_id, digest, decision, user
        ):
            raise NotFound()  # forged text
        await services.request_results(consultation.id)
        flash(request, gettext("The review is saved."))
        return web.redirect(url("consultations:admin_texts", consultation_id=consultation.id))
    context = {
        "consultation": consultation,
        "texts": await queries.free_texts(views),
        "unread": await queries.unread(consultation.id),
    }
    return render(request, "consultations/admin_texts.html", context)


async def admin_outcome(request: Request) -> Response:
    user = web.require(request, can_administer)
    consultation = await _consultation(request, public=False)
    views = await queries.questionnaire(consultation.id)
    values: dict[str, str] = {
        "heard": markdown_of(consultation.outcome_heard),
        "decided": markdown_of(consultation.outcome_decided),
        **{f"decision-{v.question.id}": markdown_of(v.question.decision) for v in views},
    }

    async def publish(data: dict[str, str]) -> str:
        notified = await services.publish_outcome(
            web.settings_of(request), consultation.id, parse_outcome_form(data), by_user=user
        )
        flash(
            request,
            ngettext(
                "The outcome is published; {n} participant notified.",
                "The outcome is published; {n} participants notified.",
                notified,
            ).format(n=formatting.format_number(notified)),
        )
        return url("consultations:outcome", consultation_id=consultation.id)

    context = {"consultation": consultation, "questions": views, "values": values}
    return await web.form_page(request, "consultations/admin_outcome.html", context, publish)


async def admin_index(request: Request) -> Response:
    web.require(request, can_administer)
    context = {"consultations": await queries.all_consultations()}
    return render(request, "consultations/admin_index.html", context)


C = "/consultations/{consultation_id:id}"
A = "/admin/consultations/{consultation_id:id}"
routes = [
    Route("/consultations", index, name="consultations:index"),
    Route(C, detail, name="consultations:detail"),
    web.form_route(C + "/answer", answer, "consultations:answer"),
    Route(
        C + "/questionnaire.pdf",
        cached_for_visitors(questionnaire_pdf),  # a PDF costs CPU: rendered once per write
        name="consultations:questionnaire_pdf",
    ),
    Route(C + "/results", cached_for_visitors(results), name="consultations:results"),
    Route(
        C + "/results.pdf",
        cached_for_visitors(results_pdf),  # a PDF costs CPU: rendered once per write
        name="consultations:results_pdf",
    ),
    Route(C + "/results.csv", results_csv, name="consultations:results_csv"),
    Route(C + "/results.json", results_json, name="consultations:results_json"),
    Route(C + "/responses.csv", responses_csv, name="consultations:responses_csv"),
    Route(C + "/outcome", outcome, name="consultations:outcome"),
    Route("/admin/consultations", admin_index, name="consultations:admin_index"),
    web.form_route("/admin/consultations/new", admin_consultation_form, "consultations:admin_new"),
    Route(A, admin_page, name="consultations:admin"),
    web.form_route(A + "/edit", admin_consultation_form, "consultations:admin_edit"),
    web.action_route(A + "/phase", admin_phase, "consultations:admin_phase"),
    Route(A + "/close", admin_close, name="consultations:admin_close"),
    web.form_route(A + "/questions/new", admin_question, "consultations:admin_new_question"),
    web.form_route(
        A + "/questions/{question_id:id}", admin_question, "consultations:admin_question"
    ),
    web.action_route(
        A + "/questions/{question_id:id}/delete",
        admin_delete_question,
        "consultations:admin_delete_question",
    ),
    web.action_route(A + "/results", admin_results, "consultations:admin_results"),
    web.form_route(A + "/texts", admin_texts, "consultations:admin_texts"),
    web.form_route(A + "/outcome", admin_outcome, "consultations:admin_outcome"),
]
