"""The audit log as staff read it (issue #18): each entry as a sentence in plain French naming
people and objects, raw values on demand, filters, pages and a CSV export. The entries
themselves are participation/audit.py's; how each action reads is declared by whoever records it
(the core here in `wording.CORE`, a feature in its manifest's `audit_words`)."""
