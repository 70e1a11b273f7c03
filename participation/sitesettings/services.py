"""Commands and reads of the site's settings: they take plain data and own their transaction.

No row: the values come from the environment (participation/settings.py), as version 0. A save
names the version the form was opened at (`SettingsForm.base_version`): the row is written only
if it still holds that version (a conditional UPDATE; the primary key id 1 behind the first
INSERT), else `EditConflict` tells the second editor what the first one saved. Every save is
audited in its transaction; after it, `live.announce` tells every web process.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from participation import tiles
from participation.audit import audit
from participation.refusals import Refused
from participation.settings import Settings
from participation.sitesettings import logo as logos
from participation.sitesettings.domain import (
    DEFAULT_COLOUR,
    SettingsForm,
    SiteValues,
    changes,
    parse_settings,
)
from participation.sitesettings.models import THE_ROW, SiteLogo, SiteSettings

# the header shows the logo at most this high (CSS pixels; the stored PNG is at most 160 high)
LOGO_SHOWN_HEIGHT = 80


@dataclass(frozen=True)
class LogoRef:
    digest: str
    width: int
    height: int

    @property
    def shown(self) -> tuple[int, int]:
        """Its width and height in the header: at most LOGO_SHOWN_HEIGHT pixels high, never
        enlarged. The header's <img> carries them, so the header keeps the logo's room before
        the image arrives (no layout shift when it does)."""
        if self.height <= LOGO_SHOWN_HEIGHT:
            return self.width, self.height
        return max(1, round(self.width * LOGO_SHOWN_HEIGHT / self.height)), LOGO_SHOWN_HEIGHT


@dataclass(frozen=True)
class Current:
    """The settings as one version: what every request of a web process reads (cached)."""

    version: int
    values: SiteValues
    logo: LogoRef | None = None
    updated_by: str = ""  # "" for version 0 (the environment's values)

    def applied_to(self, settings: Settings) -> Settings:
        """The app's settings with these values (what `web.settings_of` returns)."""
        v = self.values
        return dataclasses.replace(
            settings,
            site_name=v.site_name,
            default_language=v.default_language,
            proposal_support_threshold=v.proposal_support_threshold,
            moderation_report_threshold=v.moderation_report_threshold,
            premoderated_content=v.premoderated_content,
            rate_limited_actions=v.rate_limited_actions,
            contact_email=v.contact_email,
            map_tile_url=v.map_tile_url,
            map_tile_attribution=v.map_tile_attribution,
        )


@dataclass(frozen=True)
class Saved:
    current: Current
    changed: bool  # False: the same values, no new version


class EditConflict(Exception):
    """Someone saved the settings since the form was opened; `current` is what they saved."""

    def __init__(self, current: Current) -> None:
        super().__init__(current.version)
        self.current = current


def from_environment(settings: Settings, actions: Iterable[str]) -> Current:
    """Version 0: the values of the environment, before any save from the browser."""
    return Current(
        0,
        SiteValues(
            site_name=settings.site_name,
            contact_email="",
            default_language=settings.default_language,
            primary_colour=DEFAULT_COLOUR,
            proposal_support_threshold=settings.proposal_support_threshold,
            moderation_report_threshold=settings.moderation_report_threshold,
            premoderated_content=settings.premoderated_content,
            rate_limited_actions=frozenset(actions) if settings.rate_limits else frozenset(),
            map_tile_url=settings.map_tile_url,
            map_tile_attribution=settings.map_tile_attribution,
        ),
    )


def _names(text: str) -> frozenset[str]:
    return frozenset(name for name in text.split(",") if name)


def _current_of(row: SiteSettings) -> Current:
    logo = LogoRef(row.logo_digest, row.logo_width, row.logo_height) if row.logo_digest else None
    values = SiteValues(
        site_name=row.site_name,
        contact_email=row.contact_email,
        default_language=row.default_language,
        primary_colour=row.primary_colour,
        proposal_support_threshold=row.proposal_support_threshold,
        moderation_report_threshold=row.moderation_report_threshold,
        premoderated_content=_names(row.premoderated_content),
        rate_limited_actions=_names(row.rate_limited_actions),
        map_tile_url=row.map_tile_url,
        map_tile_attribution=row.map_tile_attribution,
    )
    return Current(row.version, values, logo, row.updated_by_name)


async def current(settings: Settings, actions: Iterable[str]) -> Current:
    """The settings now (one query)."""
    row = await SiteSettings.get_or_none(id=THE_ROW)
    return from_environment(settings, actions) if row is None else _current_of(row)


async def current_version() -> int:
    row = await SiteSettings.get_or_none(id=THE_ROW).only("id", "version")
    return row.version if row else 0


async def logo_png(digest: str) -> bytes | None:
    found = await SiteLogo.get_or_none(digest=digest).values_list("png", flat=True)
    return bytes(found) if found is not None else None  # type: ignore[arg-type]


def _columns(values: SiteValues) -> dict[str, Any]:
    return {
        "site_name": values.site_name,
        "contact_email": values.contact_email,
        "default_language": values.default_language,
        "primary_colour": values.primary_colour,
        "proposal_support_threshold": values.proposal_support_threshold,
        "moderation_report_threshold": values.moderation_report_threshold,
        "premoderated_content": ",".join(sorted(values.premoderated_content)),
        "rate_limited_actions": ",".join(sorted(values.rate_limited_actions)),
        "map_tile_url": values.map_tile_url,
        "map_tile_attribution": values.map_tile_attribution,
    }


def _recorded(key: str, value: Any) -> Any:
    """A setting's value as the audit log keeps it: the tile URL without its secrets."""
    return tiles.for_the_record(value) if key == "map_tile_url" else value


class _Conflict(Exception):
    pass


async def save(
    settings: Settings,
    actions: Iterable[str],
    form: SettingsForm,
    actor: Any,
    logo_upload: bytes | None = None,
    remove_logo: bool = False,
) -> Saved:
    """Check every field (and the logo) first: one wrong field and nothing is saved."""
    actions = tuple(actions)
    values, problems = parse_settings(form, actions)
    logo: logos.Logo | None = None
    if logo_upload:
        try:
            logo = logos.prepare(logo_upload)
        except Refused as refused:
            problems.extend(refused.problems)
    if problems or values is None:
        raise Refused(problems)
    base = int(form.base_version)
    now = timezone.now()
    try:
        async with in_transaction():
            row = await SiteSettings.get_or_none(id=THE_ROW)
            before = from_environment(settings, actions) if row is None else _current_of(row)
            if before.version != base:
                raise _Conflict
            new_logo = before.logo
            if logo is not None:
                new_logo = LogoRef(logo.digest, logo.width, logo.height)
                if not await SiteLogo.exists(digest=logo.digest):
                    await SiteLogo.create(digest=logo.digest, png=logo.png)
            elif remove_logo:
                new_logo = None
            changed = changes(before.values, values)
            if new_logo != before.logo:
                changed["logo"] = (
                    before.logo.digest if before.logo else "",
                    new_logo.digest if new_logo else "",
                )
            if not changed:
                return Saved(before, changed=False)
            columns = {
                **_columns(values),
                "logo_digest": new_logo.digest if new_logo else "",
                "logo_width": new_logo.width if new_logo else 0,
                "logo_height": new_logo.height if new_logo else 0,
                "updated_at": now,
                "updated_by_name": getattr(actor, "display_name", ""),
            }
            if row is None:
                await SiteSettings.create(id=THE_ROW, version=base + 1, **columns)
            elif not await SiteSettings.filter(id=THE_ROW, version=base).update(
                version=base + 1, **columns
            ):
                raise _Conflict
            recorded = {
                key: (_recorded(key, old), _recorded(key, new))
                for key, (old, new) in changed.items()
            }
            await audit(
                actor,
                "site_settings_edit",
                "site_settings",
                None,
                {"version": base, **{key: old for key, (old, _) in recorded.items()}},
                {"version": base + 1, **{key: new for key, (_, new) in recorded.items()}},
            )
    except (_Conflict, IntegrityError):  # the first INSERT raced another: it lost
        raise EditConflict(await current(settings, actions)) from None
    return Saved(await current(settings, actions), changed=True)
