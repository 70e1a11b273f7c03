"""OpenID Connect log-in (FranceConnect, ProConnect...), declared once (issue #19;
participation/features.py)."""

from __future__ import annotations

from oidc import privacy
from oidc.routes import account_section, login_options, logout_redirect, routes
from participation import features
from participation.i18n import N_

FEATURE = features.Feature(
    name="oidc",
    routes=routes,
    models=["oidc.models"],
    personal_data=features.PersonalData(export=privacy.export, erase=privacy.erase),
    admin=[
        features.AdminLine(90, (features.NavLink(N_("Identity providers"), "oidc:admin_index"),))
    ],
    login_options=login_options,
    logout_redirect=logout_redirect,
    account_section=account_section,
)
