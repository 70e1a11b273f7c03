"""Attacks: CSRF, access control, XSS, injected parameters, body size, sessions, headers."""
