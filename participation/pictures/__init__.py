"""Images that residents and staff attach to what they write (issue #22): one core service.

- `images`: the upload checked and re-encoded at a few widths (pure: bytes in, bytes out);
- `illustration`: the pattern drawn for what has no image (pure: a seed in, SVG out);
- `forms`: what an image form field says (new file, text alternative, removal), checked;
- `models`, `services`: stored in the database, described for templates, attached and removed
  inside the owner's own transaction;
- `routes`: the one route that serves every rendition, to who may see what holds it (asked of
  the features' `Feature.picture_owners`), revalidated at each use.

Features attach by a nullable foreign key to `participation.Picture` on their own rows and call
`services.apply` from their services; this package imports no feature (tests/test_layers.py)."""
