"""Read a page's form as a browser would submit it (for tests that post what users see)."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._select_first = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"attrs": a, "fields": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((name, a.get("value", "on")))
                return
            self._form["fields"].append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._select_first = (
                {"name": name, "value": None, "multiple": "multiple" in a},
                None,
            )
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._select["value"] = value
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "text": ""}

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            value = self._select["value"]
            if value is None and not self._select["multiple"]:
                value = self._select_first or ""
            if value is not None:
                self._form["fields"].append((self._select["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            text = self._textarea["text"]
            self._form["fields"].append(
                (self._textarea["name"], text[1:] if text.startswith("\n") else text)
            )
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data


def form_with(html: str, field: str) -> dict[str, str]:
    """The values of the first form of `html` that has a field named `field`."""
    reader = _FormReader()
    reader.feed(html)
    for form in reader.forms:
        names = [name for name, _ in form["fields"]]
        if field in names:
            return dict(form["fields"])
    raise AssertionError(f"no form with a {field!r} field on the page")


def form_action(html: str, field: str, default: str) -> str:
    """Where the first form with a field named `field` posts (hx-post, else action)."""
    reader = _FormReader()
    reader.feed(html)
    for form in reader.forms:
        if field in [name for name, _ in form["fields"]]:
            attrs = form["attrs"]
            return attrs.get("hx-post") or attrs.get("action") or default
    return default
