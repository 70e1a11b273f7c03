"""A budget's printable documents (PDF, participation/pdf.py): the blank paper ballot that staff
hand out at the town hall, and the published results.

The ballot holds what the online ballot holds: the rules, the envelope (the money to share) and
every project with its cost, one A4 section per district (its projects and the city-wide ones,
as a resident of that district sees them online). The results hold the turnout, the rule used
and why each project was funded or not, envelope by envelope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from budgets import domain
from budgets.models import BallotKind, Budget, BudgetDistrict, Feasibility, Project, WinnerRule
from budgets.queries import results_page
from budgets.services import rule_of
from participation.contributions import ModerationState
from participation.formatting import colon, format_money, format_number, format_points
from participation.i18n import gettext, ngettext
from participation.pdf import Document, render


def rule_text(rule: domain.BallotRule) -> str:
    """How to fill the ballot in (the same sentences as the online ballot)."""
    if rule.kind == BallotKind.APPROVAL:
        text = gettext("Tick the projects you support.")
        if rule.max_choices:
            more = gettext("From %(min)s to %(max)s projects.") % {
                "min": rule.min_choices,
                "max": rule.max_choices,
            }
        else:
            more = gettext("At least %(min)s.") % {"min": rule.min_choices}
        return f"{text} {more}"
    if rule.kind == BallotKind.KNAPSACK:
        text = gettext("Tick the projects you want, within the amount available.")
        if rule.min_spent_percent:
            text += " " + gettext("Spend at least %(p)s of it.") % {
                "p": format_points(rule.min_spent_percent, 0)
            }
        return text
    if rule.kind == BallotKind.CUMULATIVE:
        return gettext(
            "Share %(total)s points between the projects, at most %(max)s per project."
        ) % {
            "total": rule.points_total,
            "max": rule.points_per_project,
        }
    text = gettext("Rank up to %(k)s projects: 1 for your favourite.") % {"k": rule.ranking_length}
    if rule.ranking_length > 1:
        text += " " + gettext(
            "Ranks become points: your rank 1 gets %(n)s points, each next rank one point less, "
            "your rank %(n)s gets 1 point."
        ) % {"n": rule.ranking_length}
    return text


def _choice_heading(kind: BallotKind) -> str:
    if kind == BallotKind.CUMULATIVE:
        return gettext("Points")
    if kind == BallotKind.RANKING:
        return gettext("Rank")
    return gettext("Your choice")


async def paper_ballot(budget: Budget, site_name: str) -> bytes:
    """The blank paper ballot: one section per district (one only without districts)."""
    projects = (
        await Project.filter(
            budget=budget,
            feasibility=Feasibility.FEASIBLE,
            moderation_state=ModerationState.VISIBLE,
        )
        .select_related("district")
        .order_by("title", "id")
    )
    districts = await BudgetDistrict.filter(budget=budget).order_by("name")
    city_wide = budget.total_amount - sum(d.amount for d in districts)
    rule = rule_of(budget)
    title = gettext("Paper ballot") + colon() + " " + budget.title
    # (section heading, envelopes as (name, amount), projects)
    sections: list[tuple[str, list[tuple[str, int]], list[Project]]] = []
    shared = [p for p in projects if p.district is None]
    envelope_name = gettext("City-wide projects")
    if not districts:
        sections.append((budget.title, [(envelope_name, budget.total_amount)], projects))
    for district in districts:
        own = [p for p in projects if p.district and p.district.id == district.id]
        envelopes = [(district.name, district.amount)]
        if city_wide > 0:
            envelopes.insert(0, (envelope_name, city_wide))
        heading = f"{budget.title} — {gettext('District')}{colon()} {district.name}"
        sections.append((heading, envelopes, shared + own))

    def draw(doc: Document) -> None:
        for heading, envelopes, listed in sections:
            doc.section(heading)
            doc.paragraph(gettext("How to vote") + colon() + " " + rule_text(rule), bold=True)
            for name, amount in envelopes:
                doc.paragraph(
                    gettext("Envelope")
                    + colon()
                    + f" {name}, {format_money(amount, budget.currency)}"
                )
            if not listed:
                doc.paragraph(gettext("No project is on the ballot yet."))
                continue
            rows = [
                [
                    "",
                    project.title,
                    project.district.name if project.district else envelope_name,
                    format_money(project.ballot_cost, budget.currency),
                ]
                for project in listed
            ]
            headings = [
                _choice_heading(rule.kind),
                gettext("Project"),
                gettext("District"),
                gettext("Cost"),
            ]
            doc.table(
                headings, rows, widths=(13, 49, 25, 13), align=("CENTER", "LEFT", "LEFT", "RIGHT")
            )
            doc.paragraph(
                gettext(
                    "Put this ballot in the envelope, and hand it in at the town hall with a proof "
                    "of your identity and address. Staff check you in the register; your choices "
                    "stay secret."
                )
            )

    return await render(site_name, title, draw)


def reason_text(project: Mapping[str, Any], currency: str) -> str:
    """Why a project was funded or not (the tally engine's explanation codes), as on the page."""
    reason = project.get("reason")
    if reason == "selected" and project.get("price_value"):
        return gettext("Funded: paid by %(n)s supporters, at most %(price)s each") % {
            "n": project.get("supporters"),
            "price": format_money(project["price_value"], currency, cents=True),
        }
    texts = {
        "selected": gettext("Funded: it fitted in the money left"),
        "completion": gettext("Funded while spending the money left (completion)"),
        "does-not-fit": gettext("Not funded: it costs more than the money left"),
        "stopped": gettext("Not funded: the count stopped at the first project that did not fit"),
        "below-threshold": gettext("Not funded: below the minimum number of votes"),
        "not-affordable": gettext("Not funded: its supporters' shares could not pay for it"),
        "no-support": gettext("Not funded: no votes"),
    }
    return texts.get(str(reason), str(reason or ""))


def winner_rule_text(budget: Budget, main: Mapping[str, Any]) -> list[str]:
    """The explanation of the rule used (the same sentences as the results page)."""
    if budget.winner_rule == WinnerRule.GREEDY:
        texts = [
            gettext(
                "Projects are taken by number of votes, the most supported first, as long as "
                "money remains: a project that costs more than what is left is skipped, and the "
                "next one is considered."
            )
        ]
    else:
        texts = [
            gettext(
                "Method of Equal Shares: the budget is shared equally between the voters, and "
                "each project is paid for by its supporters' shares. A project supported by a "
                "large group is funded first; a smaller group still gets projects in proportion "
                "to its size, so no majority takes the whole budget."
            )
        ]
    if main.get("rank_points"):
        texts.append(
            gettext(
                "Ranks became points, from rank 1 on: %(points)s. The votes below are these points."
            )
            % {"points": ", ".join(str(p) for p in main["rank_points"])}
        )
    elif budget.ballot_kind == BallotKind.RANKING:
        texts.append(
            gettext("As the city counted: every ranked project counts one vote, whatever its rank.")
        )
    return texts


async def results(budget: Budget, site_name: str) -> bytes:
    """The results: turnout, the rule used, each envelope's projects by votes (a bar chart,
    funded projects dark, then the table with costs and why)."""
    context = await results_page(budget)
    turnout, main, projects = context["turnout"], context["main"], context["projects"]
    currency = budget.currency
    title = gettext("Results") + colon() + " " + budget.title
    ballots = ngettext("%(num)s ballot", "%(num)s ballots", turnout["ballots"]) % {
        "num": format_number(turnout["ballots"])
    }
    if turnout["percent"] is not None:
        ballots += " · " + gettext("%(percent)s of the %(eligible)s registered residents") % {
            "percent": format_points(turnout["percent"]),
            "eligible": format_number(turnout["eligible"]),
        }

    def draw(doc: Document) -> None:
        doc.section(title)
        doc.heading(gettext("Turnout"))
        doc.paragraph(ballots)
        if not main:
            doc.paragraph(gettext("The tally has not been computed yet."))
            return
        doc.heading(gettext("How the projects were chosen"))
        for text in winner_rule_text(budget, main):
            doc.paragraph(text)
        for envelope in main["envelopes"]:
            name = envelope.get("name") or gettext("City-wide projects")
            doc.keep_room(40)  # the envelope's heading stays with its table's first rows
            doc.heading(
                f"{name} — "
                + gettext("%(spent)s spent of %(amount)s")
                % {
                    "spent": format_money(envelope["spent"], currency),
                    "amount": format_money(envelope["amount"], currency),
                }
            )
            doc.bars(
                [
                    (
                        projects[p["id"]].title if p["id"] in projects else str(p["id"]),
                        p["score"],
                        format_number(p["score"]),
                        bool(p["selected"]),
                    )
                    for p in envelope["projects"]
                ]
            )
            rows = [
                [
                    str(p["rank"]),
                    projects[p["id"]].title if p["id"] in projects else str(p["id"]),
                    format_number(p["score"]),
                    format_money(p["cost"], currency),
                    gettext("yes") if p["selected"] else gettext("no"),
                    reason_text(p, currency),
                ]
                for p in envelope["projects"]
            ]
            headings = [
                gettext("Rank"),
                gettext("Project"),
                gettext("Votes"),
                gettext("Cost"),
                gettext("Funded"),
                gettext("Why"),
            ]
            doc.table(
                headings,
                rows,
                widths=(8, 31, 9, 14, 11, 36),
                align=("RIGHT", "LEFT", "RIGHT", "RIGHT", "CENTER", "LEFT"),
            )

    return await render(site_name, title, draw)
