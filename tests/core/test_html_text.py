"""visible_text: what an HTML output shows, the text PN504 reads for printed secrets."""

from __future__ import annotations

import pytest

from productionize.core.html_text import visible_text


@pytest.mark.parametrize(
    "html, text",
    [
        ("<pre>user: ann\npassword: hunter2</pre>", "user: ann\npassword: hunter2"),
        (
            "<table><tr><th>name</th><th>value</th></tr>"
            "<tr><td>api_key=2ac2</td><td>x &amp; y</td></tr></table>",
            "name  value\napi_key=2ac2  x & y",
        ),
        ('<div data-token="abc"><b>bold</b> text<br/>next</div>', "bold text\nnext"),
        ('<script>var c = {"key": "2ac2"};</script><style>td {}</style><p>shown</p>', "shown"),
        ("<svg><text>key: 1</text></svg>after", "after"),
        # laid out as a browser does: a row's cells on one line, line breaks in them are spaces
        (
            "<table>\n <tr>\n  <th>api_key:\n</th>\n  <td>2ac2</td>\n </tr>\n</table>",
            "api_key:    2ac2",
        ),
    ],
)
def test_visible_text(html, text):
    assert visible_text(html) == text
