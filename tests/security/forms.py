"""Finding the app's forms the way a browser does: every page of the world is fetched and its
`<form method="post">` read (fields, their type and the value they would send), so a field
added tomorrow to any form is attacked without editing the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit


@dataclass
class Form:
    action: str  # a path, e.g. /proposals/3/comments
    fields: dict[str, str] = field(default_factory=dict)  # name -> value a browser would send
    types: dict[str, str] = field(default_factory=dict)  # name -> input type (text, email...)
    multipart: bool = False


class _FormParser(HTMLParser):
    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                action = urlsplit(a.get("action") or self.page_path).path or self.page_path
                multipart = a.get("enctype", "") == "multipart/form-data"
                self._form = Form(action, multipart=multipart)
            return
        form = self._form
        if form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if name not in form.fields or "checked" in a:
                    form.fields[name] = a.get("value", "on")
            elif kind != "file":
                form.fields.setdefault(name, a.get("value", ""))
            form.types.setdefault(name, kind)
        elif tag == "button" and a.get("value") is not None:
            form.fields.setdefault(name, a["value"])
            form.types.setdefault(name, "button")
        elif tag == "textarea":
            self._textarea = name
            form.fields.setdefault(name, "")
            form.types.setdefault(name, "textarea")
        elif tag == "select":
            self._select = name
            form.types.setdefault(name, "select")
        elif tag == "option" and self._select is not None:
            if self._select not in form.fields or "selected" in a:
                form.fields[self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea is not None:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def post_forms(html: str, page_path: str) -> list[Form]:
    """The POST forms of a page (a form without action posts to the page itself)."""
    parser = _FormParser(page_path)
    parser.feed(html)
    return parser.forms
