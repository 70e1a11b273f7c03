"""Participation: a participatory democracy platform for French local governments.

Nothing happens at import time here: `participation.spreadsheet` (pure) is imported by the tally
engine, which runs without the web stack. The `{name:id}` route convertor is registered by
`participation.web`, which every route module imports.
"""

__version__ = "0.1.0"
