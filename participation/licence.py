"""The licence of everything the site publishes as open data (issue #21): the Licence Ouverte
2.0 of Etalab, the French State's open licence (compatible with CC BY 4.0 and ODC-BY). Stated
in the OpenAPI document, on /donnees-ouvertes, in each open dataset's Data Package and ODS, by
a `Link: <…>; rel="license"` header (RFC 8288, RFC 4946) on every public export, and inside
every public CSV, where a saved file keeps it: a last column `COLUMN` holding `VALUE` on every
row (`spreadsheet.writer(..., licensed=True)`; why a column: participation/opendata.py)."""

from __future__ import annotations

NAME = "Licence Ouverte 2.0 (Etalab)"
TITLE = "Licence Ouverte / Open Licence 2.0"
SPDX = "etalab-2.0"
URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
HEADER = {"Link": f'<{URL}>; rel="license"'}
COLUMN = "licence"  # the last column of every public CSV
VALUE = f"{NAME}, {URL}"  # its value, on every row
