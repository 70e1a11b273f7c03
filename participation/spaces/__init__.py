"""Participatory spaces (démarches): a core concept, below the features that attach to it."""
