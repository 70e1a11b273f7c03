"""Demo proposals of Villebelle-sur-Loire: one in every state, with comments and an amendment.

Seeded once and recognised by its author (the demo resident): a proposal that the demo did not
write is never touched, and running the demo again changes nothing. The proposal shown as
« seuil atteint » has as many supports as the threshold asks (demo supporters, created once).
"""

from __future__ import annotations

from typing import Any

from tortoise import timezone
from tortoise.transactions import in_transaction

from participation.accounts.models import User
from participation.accounts.services import hash_password
from participation.comments.models import Comment
from participation.counter import services as counter
from participation.demo import demo_account
from participation.pictures import demo as pictures
from participation.proposals import counter as proposal_counter
from participation.proposals import domain
from participation.proposals.domain import AmendmentState, ProposalState
from participation.proposals.models import (
    Amendment,
    Proposal,
    ProposalCollection,
    ProposalEvent,
    ProposalVersion,
    Support,
)
from participation.residents.models import District
from participation.richtext import ALLOW_LIST_VERSION, normalize_for_search, sanitize
from participation.settings import Settings
from participation.spaces import demo as space_demo
from participation.territory import Category, demo_spot, town_box

S = ProposalState
DISTRICTS = [
    ("Centre-ville", "centre-ville"),
    ("Les Rives", "les-rives"),
    ("Saint-Martin", "saint-martin"),
    ("Le Plateau", "le-plateau"),
]
CATEGORIES = [
    ("Mobilité", "mobilite"),
    ("Environnement", "environnement"),
    ("Vie de quartier", "vie-de-quartier"),
    ("Jeunesse et sport", "jeunesse-sport"),
]
# title, body, category, district, state, official answer
PROPOSALS = [
    (
        "Des arceaux à vélo devant l'école Jules-Ferry",
        "Le matin, les vélos des parents s'entassent contre les grilles.\n\n"
        "Installer une vingtaine d'arceaux couverts rue des Écoles permettrait de venir à vélo "
        "en toute sécurité.",
        "mobilite",
        "centre-ville",
        S.PUBLISHED,
        "",
    ),
    (
        "Un composteur partagé au square des Tilleuls",
        "Beaucoup d'habitants des immeubles n'ont pas de jardin. Un composteur collectif, géré "
        "par une association de voisins, réduirait nos déchets et nourrirait les massifs.",
        "environnement",
        "les-rives",
        S.THRESHOLD_REACHED,
        "",
    ),
    (
        "Éclairer le chemin de halage le long de la Loire",
        "Le chemin de halage est très fréquenté l'hiver à la tombée de la nuit. Un éclairage "
        "doux, à détection de présence, le rendrait plus sûr sans gêner la faune.",
        "mobilite",
        "les-rives",
        S.UNDER_ANALYSIS,
        "<p>Les services techniques étudient un éclairage à détection sur 800 mètres. "
        "Réponse définitive au prochain conseil municipal.</p>",
    ),
    (
        "Un terrain de basket en accès libre à Saint-Martin",
        "Les jeunes du quartier n'ont aucun équipement sportif en accès libre. Le terrain vague "
        "derrière le gymnase pourrait accueillir un terrain de basket 3x3.",
        "jeunesse-sport",
        "saint-martin",
        S.ACCEPTED,
        "<p>Proposition <strong>acceptée</strong> : le terrain 3x3 sera construit au printemps, "
        "pour 45 000 €.</p>",
    ),
    (
        "Rendre la rue Nationale piétonne tous les jours",
        "Fermer la rue Nationale aux voitures en permanence pour en faire un grand espace piéton.",
        "mobilite",
        "centre-ville",
        S.REFUSED,
        "<p>La rue Nationale dessert l'hôpital : une fermeture permanente n'est pas possible. "
        "La ville la rendra piétonne <em>le dimanche</em> dès cet été.</p>",
    ),
    (
        "Des bancs sur la place du Marché",
        "Les personnes âgées n'ont nulle part où s'asseoir les jours de marché. Quelques bancs "
        "à l'ombre des platanes suffiraient.",
        "vie-de-quartier",
        "centre-ville",
        S.DONE,
        "<p>Six bancs ont été installés en mars. Merci pour cette idée !</p>",
    ),
    (
        "Une boîte à livres au Plateau",
        "Une boîte à livres près de l'arrêt de bus du Plateau, pour échanger romans et BD.",
        "vie-de-quartier",
        "le-plateau",
        S.WITHDRAWN,
        "",
    ),
    (
        "Un jardin partagé derrière la médiathèque",
        "Brouillon : transformer la pelouse derrière la médiathèque en jardin partagé.",
        "environnement",
        "centre-ville",
        S.DRAFT,
        "",
    ),
]


# the places of the demo's proposals (issue #20), by title: an address, and a point on the
# town's map for all but one (listed under the map, not drawn); the others give no place
PLACES = {
    "Des arceaux à vélo devant l'école Jules-Ferry": ("École Jules-Ferry, rue des Écoles", True),
    "Un composteur partagé au square des Tilleuls": ("Square des Tilleuls", True),
    "Éclairer le chemin de halage le long de la Loire": (
        "Chemin de halage, quai de la Loire",
        True,
    ),
    "Un terrain de basket en accès libre à Saint-Martin": (
        "Derrière le gymnase Saint-Martin",
        True,
    ),
    "Des bancs sur la place du Marché": ("Place du Marché", False),
}


async def _territory() -> tuple[dict[str, Category], dict[str, District]]:
    categories = {}
    for name, slug in CATEGORIES:
        categories[slug] = (await Category.get_or_create(slug=slug, defaults={"name": name}))[0]
    districts = {}
    for name, slug in DISTRICTS:
        districts[slug] = (await District.get_or_create(slug=slug, defaults={"name": name}))[0]
    return categories, districts


COLLECTION_TITLE = "Idées pour Villebelle"


async def _collection(settings: Settings) -> int | None:
    """The demo's proposals collection, in the ideas box space (once), with the site's
    threshold and pre-moderation; None when the space is not there."""
    space_id = await space_demo.space_id(space_demo.IDEAS)
    if space_id is None:
        return None
    found = await ProposalCollection.get_or_none(space_id=space_id, title=COLLECTION_TITLE)
    if found is None:
        found = await ProposalCollection.create(
            space_id=space_id,
            title=COLLECTION_TITLE,
            support_threshold=settings.proposal_support_threshold,
            premoderated=settings.premoderates("proposal"),
        )
    return found.id


# a few proposals carry an image drawn by the demo (participation/pictures/demo.py): theme, text
# alternative; the others show their category's pattern
IMAGES = {
    "Des arceaux à vélo devant l'école Jules-Ferry": (
        "velo",
        "Deux vélos garés à des arceaux bleus devant une école",
    ),
    "Un composteur partagé au square des Tilleuls": (
        "jardin",
        "Des carrés de potager et un composteur en bois",
    ),
    "Un terrain de basket en accès libre à Saint-Martin": (
        "basket",
        "Un terrain de basket orange avec son panier et un ballon",
    ),
}


async def load(settings: Settings, users: list[Any]) -> None:
    """`users`: the demo accounts (resident, moderator, staff)."""
    resident, moderator, staff = users
    categories, districts = await _territory()
    town = town_box(settings)
    collection_id = await _collection(settings)
    for n, (title, text, category, district, state, answer) in enumerate(PROPOSALS):
        if await Proposal.exists(title=title, author_id=resident.id):
            continue
        address, drawn = PLACES.get(title, ("", False))
        latitude, longitude = demo_spot(town, 40 + n) if drawn else (None, None)
        body = sanitize(text)
        published = state not in (S.DRAFT,)
        async with in_transaction():
            image = IMAGES.get(title)
            proposal = await Proposal.create(
                image_id=await pictures.stored(*image) if image else None,
                author_id=resident.id,
                title=title,
                body=body,
                category_id=categories[category].id,
                district_id=districts[district].id,
                address=address,
                latitude=latitude,
                longitude=longitude,
                state=state,
                published_at=timezone.now() if published else None,
                search_text=normalize_for_search(f"{title} {text}"),
                answer_body=sanitize(answer) if answer else "",
                sanitized_with=ALLOW_LIST_VERSION,
                answered_at=timezone.now() if answer else None,
                answered_by_id=staff.id if answer else None,
                collection_id=collection_id,
            )
            if published:
                await ProposalVersion.create(
                    proposal_id=proposal.id,
                    number=1,
                    title=title,
                    body=body,
                    author_id=resident.id,
                )
                await ProposalEvent.create(
                    proposal_id=proposal.id,
                    actor_id=resident.id,
                    from_state=S.DRAFT,
                    to_state=state,
                    answered=bool(answer),
                )
                supporters = [moderator, staff]
                if state == S.THRESHOLD_REACHED:  # « seuil atteint » only at the threshold
                    supporters += await _supporters(settings, settings.proposal_support_threshold)
                await Support.bulk_create(
                    [Support(proposal_id=proposal.id, user_id=u.id) for u in supporters]
                )
                proposal.support_count = len(supporters)
                await proposal.save(update_fields=["support_count"])
            if state in (S.PUBLISHED, S.ACCEPTED, S.THRESHOLD_REACHED):
                await _discussion(proposal, resident, moderator, staff)
    await _amendment(resident, moderator)
    await _at_the_counter(settings, staff, categories, districts, collection_id)
    if collection_id is not None:  # every demo proposal is in the ideas box
        await Proposal.filter(collection_id=None).update(collection_id=collection_id)


# Taken at the counter (participation/counter): a person without an account files a proposal,
# and a few supports of the threshold proposal came by phone and on paper.
COUNTER_TITLE = "Un banc à l'arrêt de bus de la mairie"
COUNTER_TEXT = "Les personnes âgées attendent le bus debout : un banc à l'abri serait bienvenu."


async def _at_the_counter(
    settings: Settings, staff: Any, categories: Any, districts: Any, collection_id: int | None
) -> None:
    if await Proposal.exists(title=COUNTER_TITLE):
        return
    person = await counter.record_person(staff, "Odette Lefèvre", "", True)
    category, district = next(iter(categories.values())), next(iter(districts.values()))
    form, raw = domain.form_of(
        {
            "title": COUNTER_TITLE,
            "body": COUNTER_TEXT,
            "category": str(category.id),
            "district": str(district.id),
        }
    )
    # into the demo's ideas box: a town may have other collections open (it is asked then)
    chosen = str(collection_id) if collection_id is not None else ""
    await proposal_counter.record_proposal(
        settings, staff, person.id, form, "counter", raw, collection=chosen
    )
    reached = await Proposal.filter(state=S.THRESHOLD_REACHED).first()
    if reached is not None:
        supports = await Support.filter(proposal_id=reached.id).order_by("id").limit(40)
        for n, support in enumerate(supports):
            channel = ("phone", "paper", "meeting", "online")[n % 4]
            await Support.filter(id=support.id).update(channel=channel)


SUPPORTERS = "soutien{n}@demo.villebelle.fr"


async def _supporters(settings: Settings, count: int) -> list[User]:
    """`count` demo accounts that only support (one password hash, no login meant)."""
    emails = {SUPPORTERS.format(n=n): n for n in range(1, count + 1)}
    existing = {u.email: u for u in await User.filter(email__in=list(emails))}
    missing = [e for e in emails if e not in existing]
    if missing:
        password = await hash_password(settings, "demo-supporter-not-a-login")
        await User.bulk_create([demo_account(e, f"Soutien {emails[e]}", password) for e in missing])
        existing = {u.email: u for u in await User.filter(email__in=list(emails))}
    return [existing[e] for e in emails]


# The thread under a demo proposal: (author, the comment it replies to, stance, text).
DISCUSSION = [
    ("moderator", None, "for", "Très bonne idée, je passe par là tous les jours."),
    ("resident", 0, "neutral", "Merci ! N'hésitez pas à en parler autour de vous."),
    ("staff", 1, "neutral", "Les services ont bien noté la demande."),
    ("staff", None, "against", "Attention au coût d'entretien, à chiffrer avant de décider."),
]


async def _discussion(proposal: Proposal, resident: Any, moderator: Any, staff: Any) -> None:
    people = {"resident": resident, "moderator": moderator, "staff": staff}
    thread: list[Comment] = []
    for author, replied, stance, text in DISCUSSION:
        parent = thread[replied] if replied is not None else None
        comment = await Comment.create(
            proposal_id=proposal.id,
            author_id=people[author].id,
            parent_id=parent.id if parent else None,
            depth=parent.depth + 1 if parent else 0,
            stance=stance,
            body=sanitize(text),
            sanitized_with=ALLOW_LIST_VERSION,
        )
        thread.append(comment)
    proposal.comment_count = len(thread)
    await proposal.save(update_fields=["comment_count"])


async def _amendment(resident: Any, moderator: Any) -> None:
    """An accepted amendment (version 2) on the bicycle racks, and a pending one."""
    proposal = await Proposal.get_or_none(title=PROPOSALS[0][0], author_id=resident.id)
    if proposal is None or await Amendment.exists(proposal_id=proposal.id):
        return
    body = sanitize(
        "Le matin, les vélos des parents s'entassent contre les grilles.\n\n"
        "Installer une vingtaine d'arceaux couverts rue des Écoles, et quelques places pour "
        "les vélos cargos, permettrait de venir à vélo en toute sécurité."
    )
    async with in_transaction():
        accepted = await Amendment.create(
            proposal_id=proposal.id,
            author_id=moderator.id,
            base_version=1,
            title=proposal.title,
            body=body,
            sanitized_with=ALLOW_LIST_VERSION,
            reason="Penser aussi aux vélos cargos.",
            state=AmendmentState.ACCEPTED,
            decided_at=timezone.now(),
        )
        await ProposalVersion.create(
            proposal_id=proposal.id,
            number=2,
            title=proposal.title,
            body=body,
            author_id=moderator.id,
            amendment_id=accepted.id,
        )
        proposal.body, proposal.version = body, 2
        proposal.search_text = normalize_for_search(f"{proposal.title} {body}")
        await proposal.save(update_fields=["body", "version", "search_text"])
        await Amendment.create(
            proposal_id=proposal.id,
            author_id=moderator.id,
            base_version=2,
            title="Des arceaux à vélo devant les écoles Jules-Ferry et Pasteur",
            body=body,
            sanitized_with=ALLOW_LIST_VERSION,
            reason="L'école Pasteur a le même problème.",
        )
