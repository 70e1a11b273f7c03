"""Participation: a participatory democracy platform for French local governments."""

from starlette.convertors import register_url_convertor

from participation.numbers import IdConvertor

__version__ = "0.1.0"

# Every `{...:int}` in our routes is a database id: bound it before any route is compiled (route
# modules of every feature import `participation` first), so a forged 20-digit id is a 404.
register_url_convertor("int", IdConvertor())
