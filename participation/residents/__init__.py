"""The resident register, shared by every feature that asks "does this person live here, and
where?": the census (`census.py`, pure), its rows and the verified accounts (`models.py`), the
pure rules (`domain.py`) and the commands and reads (`services.py`)."""
