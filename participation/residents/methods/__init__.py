"""Verification methods: the ways a person proves they live in the town, one module each, one
interface (`Method`), registered in `METHODS` like the tally rules (`tally/rules/`).

Every method produces the same "verified resident" record (`residents.models.Residency`): the
method's name, the date, the expiry (`valid_for` after the date; None: none), the district, the
birth date when the method knows it, and the agent who verified in person when there is one
(`by_agent`). Staff may revoke any record with a reason the resident reads. The commands that
write a record are in `residents/services.py` (`record_verification`), the same for every
method; a method module says what it is, not how it is stored.

A new method is one module here, one line in `METHODS`, and its words in the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Protocol

from participation.residents.methods import census, desk, letter


class Method(Protocol):
    @property
    def name(self) -> str: ...  # stored in Residency.method (at most 20 characters)

    @property
    def label(self) -> str: ...  # msgid: how the resident and staff read it

    @property
    def how(self) -> str: ...  # msgid: one sentence, how a resident gets verified this way

    @property
    def valid_for(self) -> timedelta | None: ...  # how long a record stays valid; None: ever

    @property
    def by_agent(self) -> bool: ...  # an agent records it in person (kept on the record)

    @property
    def knows_birth_date(self) -> bool: ...  # the record holds a birth date the method checked


METHODS: Mapping[str, Method] = {
    module.METHOD.name: module.METHOD for module in (census, desk, letter)
}


def method_named(name: str) -> Method | None:
    return METHODS.get(name)
