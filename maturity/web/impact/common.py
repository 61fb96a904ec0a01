"""The impact blueprint and what its views share: template filters for figures, the
signed-in user and today's date, and putting errors on the fields they name."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from flask import Blueprint, g, render_template
from flask_login import current_user
from wtforms import Field, Form, FormField
from wtforms.fields import HiddenField

from maturity.framework.metrics import Number

bp = Blueprint("impact", __name__, url_prefix="/organisations/<slug>/impact")

UNIT_SUFFIX = {"people": "people", "count": "", "hours": "hours", "percent": "%", "score": ""}


@bp.app_template_filter("figure")
def figure(value: Number | None, unit: str = "") -> str:
    """A figure as people read it: ``63,492``, ``87.5%``, ``–`` when missing."""
    if value is None:
        return "–"
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}".removesuffix(".0")
    return f"{text}%" if unit == "percent" else text


@bp.app_template_filter("signed")
def signed(value: Number | None, unit: str = "") -> str:
    """A change with its sign: ``+12``, ``−3``, ``0``; percentages change in points."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else "−" if value < 0 else ""
    if unit == "percent":
        return f"{sign}{figure(abs(value))} percentage points"
    return f"{sign}{figure(abs(value))}"


@bp.app_template_filter("names_in")
def names_in(ids: list[str], names: dict[str, str]) -> str:
    """Ids shown by their names, joined with commas (an unknown id is shown as it is)."""
    return ", ".join(names.get(item, item) for item in ids)


@bp.app_template_filter("error_message")
def error_message(field: Field) -> dict[str, str] | None:
    """A field's first error as a GOV.UK component's ``errorMessage``, or None."""
    return {"text": field.errors[0]} if field.errors else None


def user() -> Any:
    return current_user._get_current_object()


def today() -> date:
    return date.today()


def _fields(form: Form) -> Iterator[Field]:
    """Every field of the form, those of enclosed forms (``FormField``) included."""
    for field in form:
        if isinstance(field, FormField):
            yield from _fields(field.form)
        elif not isinstance(field, HiddenField):
            yield field


def add_errors(form: Form, errors: Mapping[str, str], enclosed: str | None = None) -> list[str]:
    """Put each service error on the field it names: a field of the form, or (for
    ``enclosed``) of the form enclosed in that ``FormField``, such as one figure. Returns
    the messages naming no field of the form, for the page as a whole."""
    inner = form[enclosed].form if enclosed else None
    unplaced = []
    for name, message in errors.items():
        if inner is not None and name in inner:
            field = inner[name]
        elif name in form:
            field = form[name]
        else:
            unplaced.append(message)
            continue
        field.errors = [*field.errors, message]
    return unplaced


def has_errors(form: Form) -> bool:
    """Whether any field of the form (enclosed forms included) has an error."""
    return any(field.errors for field in _fields(form))


def error_list(
    form: Form, before: Sequence[str] = (), after: Sequence[str] = ()
) -> list[dict[str, str]]:
    """The error summary's items: page-level messages ``before``, then each field's first
    error linking to that field in page order, then page-level messages ``after``."""
    return [
        *({"text": text, "href": "#main-content"} for text in before),
        *(
            {"text": field.errors[0], "href": f"#{field.id}"}
            for field in _fields(form)
            if field.errors
        ),
        *({"text": text, "href": "#main-content"} for text in after),
    ]


def render_form(
    template: str,
    form: Form,
    before: Sequence[str] = (),
    after: Sequence[str] = (),
    **context: Any,
) -> str:
    """An impact page with a form: the form as ``page_form`` and its errors (and any
    page-level messages) as the error summary's ``error_list``."""
    return render_template(
        template,
        organisation=g.organisation,
        page_form=form,
        error_list=error_list(form, before, after),
        **context,
    )
