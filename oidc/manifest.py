"""OpenID Connect log-in (FranceConnect, ProConnect...), declared once (issue #19;
participation/features.py)."""

from __future__ import annotations

from oidc import privacy
from oidc.models import Provider
from oidc.routes import account_section, login_options, logout_redirect, routes
from participation import features
from participation.auditlog.wording import AuditTarget, AuditWording, AuditWords, names_in
from participation.i18n import N_

_names = names_in(Provider, "name")


AUDIT_WORDS = AuditWords(
    actions=(
        AuditWording("oidc_provider_saved", N_("{actor} saved the settings of {target}")),
        AuditWording("oidc_linked", N_("{actor} linked their account to {target}")),
        AuditWording("oidc_unlinked", N_("{actor} unlinked their account from {target}")),
    ),
    targets=(
        AuditTarget(
            "oidc_provider",
            N_("the identity provider “{name}”"),
            _names,
            numbered=N_("the identity provider no. {id}"),
        ),
    ),
)

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
    audit_words=AUDIT_WORDS,
)
