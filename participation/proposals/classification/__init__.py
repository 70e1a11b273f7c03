"""The town's themes (categories) and districts that proposals are filed under, kept by
administrators from the browser (/admin/classification)."""
