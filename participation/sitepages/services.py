"""Commands and reads of the content pages: they take plain data and own their transaction.

A page without a row shows its default text as version 1. The first save writes that version 1
to the history (no author) and the new text as version 2, so the history always holds what the
public saw. Every save names the version the editor started from (`PageForm.base_version`):
the row is updated only if it still holds that version (a conditional UPDATE, and UNIQUE
(page, version) behind it), else `EditConflict` tells the second editor what happened, with
their text kept. Every save and restore is audited in its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from participation.accounts.models import User
from participation.audit import audit
from participation.refusals import NotFound, refuse_fields
from participation.richtext import ALLOW_LIST_VERSION, sanitize_page
from participation.sitepages.domain import (
    BY_SLUG,
    TERMS,
    PageForm,
    default_text,
    fill_placeholders,
    page_problems,
)
from participation.sitepages.models import SitePage, SitePageVersion

DEFAULT_VERSION = 1


@dataclass(frozen=True)
class PageText:
    slug: str
    version: int
    body_fr: str
    body_en: str
    at: datetime | None  # None: the default text, never saved
    author: str  # "" for the default text
    # the allow-list the texts were sanitised with (`richtext.render_page`); the default texts
    # are kept as shown with the current one (tests/participation/test_sitepages_defaults.py)
    sanitized_with: int = ALLOW_LIST_VERSION

    @property
    def is_default(self) -> bool:
        return self.at is None

    def body(self, language: str) -> tuple[str, str]:
        """(text, its language): the English text when there is one, else the French."""
        if language == "en" and self.body_en:
            return self.body_en, "en"
        return self.body_fr, "fr"


@dataclass(frozen=True)
class Saved:
    page: PageText
    changed: bool  # False: the text was the same, no version was written


class EditConflict(Exception):
    """Someone saved the page since the editor opened it; `current` is what they saved."""

    def __init__(self, current: PageText) -> None:
        super().__init__(current.slug)
        self.current = current


def _known(slug: str) -> str:
    if slug not in BY_SLUG:
        raise NotFound(slug)
    return slug


def _default(slug: str) -> PageText:
    return PageText(
        slug, DEFAULT_VERSION, default_text(slug, "fr"), default_text(slug, "en"), None, ""
    )


def _text_of(row: SitePage) -> PageText:
    return PageText(
        row.slug,
        row.version,
        row.body_fr,
        row.body_en,
        row.published_at,
        row.author_name,
        row.sanitized_with,
    )


async def current(slug: str) -> PageText:
    row = await SitePage.get_or_none(slug=_known(slug))
    return _default(slug) if row is None else _text_of(row)


async def all_pages() -> dict[str, PageText]:
    """Every page's current text, by slug (one query)."""
    rows = {row.slug: _text_of(row) for row in await SitePage.all()}
    return {slug: rows.get(slug) or _default(slug) for slug in BY_SLUG}


async def current_terms_version() -> int:
    row = await SitePage.get_or_none(slug=TERMS).only("id", "version")
    return row.version if row else DEFAULT_VERSION


async def history(slug: str) -> list[PageText]:
    """Every version, newest first (the default text alone while the page was never saved)."""
    row = await SitePage.get_or_none(slug=_known(slug))
    if row is None:
        return [_default(slug)]
    versions = await SitePageVersion.filter(page_id=row.id).order_by("-version")
    return [
        PageText(
            slug, v.version, v.body_fr, v.body_en, v.published_at, v.author_name, v.sanitized_with
        )
        for v in versions
    ]


async def version(slug: str, number: int) -> PageText:
    for text in await history(slug):
        if text.version == number:
            return text
    raise NotFound(f"{slug} version {number}")


async def save(slug: str, form: PageForm, actor: User, restored_from: int | None = None) -> Saved:
    _known(slug)
    if problems := page_problems(form):
        raise refuse_fields(problems)
    body_fr, body_en = sanitize_page(form.body_fr), sanitize_page(form.body_en)
    base = int(form.base_version)
    now = timezone.now()
    try:
        async with in_transaction():
            row = await SitePage.get_or_none(slug=slug)
            if (row.version if row else DEFAULT_VERSION) != base:
                raise _Conflict
            before = _text_of(row) if row else _default(slug)
            if (body_fr, body_en) == (before.body_fr, before.body_en):
                return Saved(before, changed=False)
            new = base + 1
            published: dict[str, Any] = {
                "body_fr": body_fr,
                "body_en": body_en,
                "sanitized_with": ALLOW_LIST_VERSION,
                "published_at": now,
                "author_id": actor.id,
                "author_name": actor.display_name,
            }
            if row is None:  # the default text becomes version 1 of the history
                row = await SitePage.create(slug=slug, version=new, **published)
                await SitePageVersion.create(
                    page_id=row.id,
                    version=DEFAULT_VERSION,
                    body_fr=before.body_fr,
                    body_en=before.body_en,
                    sanitized_with=before.sanitized_with,
                    published_at=now,
                )
            elif not await SitePage.filter(id=row.id, version=base).update(
                version=new, **published
            ):
                raise _Conflict
            await SitePageVersion.create(
                page_id=row.id, version=new, restored_from=restored_from, **published
            )
            await audit(
                actor,
                "site_page_restore" if restored_from else "site_page_edit",
                "site_page",
                row.id,
                {"page": slug, "version": base},
                {"page": slug, "version": new, "restored_from": restored_from},
            )
    except (_Conflict, IntegrityError):  # UNIQUE slug or (page, version): someone was first
        raise EditConflict(await current(slug)) from None
    return Saved(await current(slug), changed=True)


class _Conflict(Exception):
    pass


async def restore(slug: str, number: int, base_version: str, actor: User) -> Saved:
    """Publish an old version's text again, as a new version (the history keeps everything)."""
    old = await version(slug, number)
    form = PageForm(old.body_fr, old.body_en, base_version)
    return await save(slug, form, actor, restored_from=number)


async def accept_terms(user: User, version: int) -> None:
    """The person accepts the conditions of use in this version, now (sign-up or sign-in)."""
    user.terms_version = version
    user.terms_accepted_at = timezone.now()
    await user.save(update_fields=["terms_version", "terms_accepted_at"])


async def fill_demo(values: dict[str, str], actor: User) -> None:
    """The demo town's pages: the placeholders of the defaults filled in, saved once by staff
    (a page already saved is left alone)."""
    for slug in BY_SLUG:
        if await SitePage.exists(slug=slug):
            continue
        default = _default(slug)
        form = PageForm(
            fill_placeholders(default.body_fr, values),
            fill_placeholders(default.body_en, values),
            str(DEFAULT_VERSION),
        )
        await save(slug, form, actor)
