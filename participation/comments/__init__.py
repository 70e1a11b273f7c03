"""Threaded comments on proposals, with a stance and up/down votes."""
