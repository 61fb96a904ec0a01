"""GOV.UK Frontend's table component, rendered in Python.

``govuk_table(params)`` takes the parameters of govuk-frontend-jinja's ``govukTable`` macro
and gives the same markup (``tests/test_govuk_table.py`` holds it to the macro's output
for every parameter the macro reads). Templates call it as ``govukTable`` (a Jinja
global): the macro, with an attributes macro called for every cell, was the largest single
cost of rendering results pages and regional dashboards, which are mostly tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape


def _attributes(attributes: Any) -> str:
    """govukAttributes: a string passes through; a mapping gives ` name="value"` pairs,
    booleans as "true"/"false", and ``{'value': …, 'optional': True}`` leaves out empty
    values and writes ``name`` alone for True."""
    if not attributes:
        return ""
    if isinstance(attributes, str):
        return attributes
    html = ""
    for name, value in attributes.items():
        if isinstance(value, Mapping) and value.get("val") is not None and len(value):
            value = value["val"]
        if isinstance(value, Mapping):
            options = value
        else:
            options = {
                "value": str(value).lower() if isinstance(value, bool) else value,
                "optional": False,
            }
        optional, content = options.get("optional") is True, options.get("value")
        if optional and content is True:
            html += f" {escape(name)}"
        elif not optional or (content is not None and content is not False):
            html += f' {escape(name)}="{escape(content)}"'
    return html


def _content(item: Mapping[str, Any]) -> str:
    html = item.get("html")
    return str(html) if html else str(escape(item.get("text", "")))


def _span(item: Mapping[str, Any]) -> str:
    found = ""
    if item.get("colspan"):
        found += f' colspan="{escape(item["colspan"])}"'
    if item.get("rowspan"):
        found += f' rowspan="{escape(item["rowspan"])}"'
    return found


def _classes(base: str, *extra: Any) -> str:
    return " ".join([base, *(str(value) for value in extra if value)])


def govuk_table(params: Mapping[str, Any]) -> Markup:
    """The table govukTable(params) renders."""
    parts = [
        f'<table class="{_classes("govuk-table", params.get("classes"))}"'
        f"{_attributes(params.get('attributes'))}>\n"
    ]
    if params.get("caption"):
        caption_class = _classes("govuk-table__caption", params.get("captionClasses"))
        parts.append(f'  <caption class="{caption_class}">{escape(params["caption"])}</caption>\n')
    if params.get("head"):
        parts.append('  <thead class="govuk-table__head">\n    <tr class="govuk-table__row">\n')
        for item in params["head"]:
            classes = _classes(
                "govuk-table__header",
                item.get("format") and f"govuk-table__header--{item['format']}",
                item.get("classes"),
            )
            parts.append(
                f'      <th scope="col" class="{classes}"{_span(item)}'
                f"{_attributes(item.get('attributes'))}>{_content(item)}</th>\n"
            )
        parts.append("    </tr>\n  </thead>\n")
    parts.append('  <tbody class="govuk-table__body">\n')
    header_first = bool(params.get("firstCellIsHeader"))
    for row in _rows(params.get("rows")):
        parts.append('    <tr class="govuk-table__row">\n')
        for index, cell in enumerate(row):
            common = _span(cell) + _attributes(cell.get("attributes"))
            if index == 0 and header_first:
                classes = _classes("govuk-table__header", cell.get("classes"))
                parts.append(
                    f'      <th scope="row" class="{classes}"{common}>{_content(cell)}</th>\n'
                )
            else:
                classes = _classes(
                    "govuk-table__cell",
                    cell.get("format") and f"govuk-table__cell--{cell['format']}",
                    cell.get("classes"),
                )
                parts.append(f'      <td class="{classes}"{common}>{_content(cell)}</td>\n')
        parts.append("    </tr>\n")
    parts.append("  </tbody>\n</table>\n")
    return Markup("".join(parts))


def _rows(rows: Iterable[Any] | None) -> Iterable[Any]:
    return (row for row in rows or () if row)
