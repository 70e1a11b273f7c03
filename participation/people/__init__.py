"""People and roles (issue #18): administrators list the accounts, grant and withdraw the staff
roles, never leaving the site without an administrator (docs/administration.md)."""
