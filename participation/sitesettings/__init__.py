"""Settings a town changes from the browser (issue #18): thresholds, pre-moderation, rate
limits, language, the town's name, contact, logo and colour; stored in the database, effective
at once in every web process (docs/administration.md)."""
