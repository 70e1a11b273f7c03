"""Threaded comments with a stance and up/down votes, on what the features declare
commentable (`Feature.commentables`: proposals, budget projects ...)."""
