"""GOV.UK's table component rendered in Python (``maturity.web.govuk_table``) gives the
same table as govuk-frontend-jinja's ``govukTable`` macro, for every parameter the macro
reads, and escapes text as the macro does."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup, NavigableString, Tag
from flask import Flask
from markupsafe import Markup

from maturity.web.govuk_table import govuk_table

MACRO = (
    '{% from "govuk_frontend_jinja/components/table/macro.html" import govukTable as real %}'
    "{{ real(params) }}"
)

CASES: list[dict[str, Any]] = [
    {"rows": [[{"text": "A"}, {"text": "1"}]]},
    {
        "caption": "Scores <by> section",
        "captionClasses": "govuk-table__caption--s",
        "firstCellIsHeader": True,
        "classes": "app-table--small",
        "attributes": {"id": "table-spreads", "data-module": "x"},
        "head": [
            {"text": "Section"},
            {"text": "Median", "format": "numeric", "classes": "app-wide"},
            {"html": '<span class="govuk-visually-hidden">Actions</span>', "colspan": 2},
        ],
        "rows": [
            [
                {"text": "Funding & <income>", "classes": "app-name"},
                {"text": 3.25, "format": "numeric"},
                {"html": Markup("<a href='#'>Change</a>"), "attributes": {"lang": "en"}},
                {"text": "", "rowspan": 2},
            ],
            [],  # an empty row is left out
            [{"text": Markup("<b>bold</b>")}, {"text": "x", "colspan": 3}],
        ],
    },
    {
        "attributes": {
            "hidden": {"value": True, "optional": True},
            "data-empty": {"value": None, "optional": True},
            "aria-busy": False,
            "title": 'He said "hi"',
        },
        "head": [{"text": "Only a head"}],
        "rows": [],
    },
    {"attributes": ' data-raw="yes"', "rows": [[{"text": "raw attributes"}]]},
]


def _shape(node: Tag) -> Any:
    """A table as nested tuples: tag, attributes (classes as a set), children; text with
    its whitespace collapsed; whitespace-only text left out."""
    children = []
    for child in node.children:
        if isinstance(child, NavigableString):
            text = " ".join(str(child).split())
            if text:
                children.append(text)
        elif isinstance(child, Tag):
            children.append(_shape(child))
    attributes = {
        name: frozenset(value) if name == "class" else value for name, value in node.attrs.items()
    }
    return (node.name, attributes, tuple(children))


@pytest.mark.parametrize("params", CASES)
def test_the_python_table_matches_the_govuk_macro(app: Flask, params: dict[str, Any]) -> None:
    with app.app_context():
        expected = app.jinja_env.from_string(MACRO).render(params=params)
    ours = str(govuk_table(params))
    expected_table = BeautifulSoup(expected, "html.parser").find("table")
    our_table = BeautifulSoup(ours, "html.parser").find("table")
    assert isinstance(expected_table, Tag) and isinstance(our_table, Tag)
    assert _shape(our_table) == _shape(expected_table)


def test_text_is_escaped_and_html_is_not() -> None:
    html = str(
        govuk_table({"caption": "<script>", "rows": [[{"text": "<b>"}, {"html": "<i>kept</i>"}]]})
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;" in html and "<i>kept</i>" in html
