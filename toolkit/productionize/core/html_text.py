"""The text an HTML output shows a reader: what a table or a <pre> prints, without its markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# what a browser lays out on a line of its own; table cells are kept apart on their row
_LINE_TAGS = frozenset(
    "br p div pre tr li ul ol dl dt dd table thead tbody tfoot caption h1 h2 h3 h4 h5 h6 "
    "blockquote hr section article header footer details summary".split()
)
_CELL_TAGS = frozenset(("td", "th"))
# scripts and styles are code (plotly's and bokeh's JSON name keys and tokens that are not)
_HIDDEN_TAGS = frozenset(("script", "style", "template", "svg", "math", "head", "title"))
_PREFORMATTED_TAGS = frozenset(("pre", "textarea", "listing", "xmp"))
_SPACES = re.compile(r"\s+")


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.preformatted = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _PREFORMATTED_TAGS:
            self.preformatted += 1
        if tag in _HIDDEN_TAGS:
            self.hidden += 1
        elif tag in _LINE_TAGS:
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append("  ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _PREFORMATTED_TAGS:
            self.preformatted = max(0, self.preformatted - 1)
        if tag in _HIDDEN_TAGS:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _LINE_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in _LINE_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        # as a browser lays it out: outside <pre>, line breaks and runs of spaces are one space
        self.parts.append(data if self.preformatted else _SPACES.sub(" ", data))


def visible_text(html: str) -> str:
    """Return the text ``html`` shows: no tags, attributes, scripts or styles; rows on lines."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
