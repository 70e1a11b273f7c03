"""The town's content pages (issue #18): legal notice, accessibility statement, personal data,
conditions of use and help, edited by staff with their history (docs/sitepages.md)."""
