"""Proposals collections (issue #18): a participatory space's ideas box with its own rules
(support threshold, pre-moderation, amendments, open or closed), kept by administrators at
/admin/collections."""
