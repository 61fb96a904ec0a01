"""The impact forms (Flask-WTF). The return and targets forms are built at request time
from the metric file: one ``FigureField`` per metric, enclosed in a ``FormField`` so that
the fields are named ``metric-<id>`` and ``target-<id>``. The forms only read and tidy what
was typed; the rules are the services' (through the framework), which name the field of
each error."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import Length, ValidationError

from maturity.framework import Metric
from maturity.framework.impact import (
    CASE_STUDY_FIRST_NAME_LIMIT,
    CASE_STUDY_TITLE_LIMIT,
    CaseStudyFields,
    Outcome,
    TheoryOfChangeFields,
    parse_figure,
    parse_lines,
)
from maturity.framework.metrics import Number


def _line(value: Any) -> Any:
    """One line of text with its spaces tidied."""
    return " ".join(value.split()) if isinstance(value, str) else value


def _block(value: Any) -> Any:
    """Text of several lines, trimmed, with browsers' line ends made plain."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def _unique(value: Any) -> list[str]:
    """The choices ticked, each once, in order."""
    return list(dict.fromkeys(value or ()))


class FigureField(StringField):
    """A figure typed as people write it (``63,492``, ``87.5``). ``figure`` is its number;
    text that is not a plain number is an error on the field."""

    def __init__(self, label: str, not_a_number: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.not_a_number = not_a_number

    @property
    def sent(self) -> bool:
        """Whether the posted form held this field (an absent field changes nothing)."""
        return bool(self.raw_data)

    @property
    def figure(self) -> Number | None:
        try:
            return parse_figure(self.data or "")
        except ValueError:
            return None

    def pre_validate(self, form: Form) -> None:
        try:
            parse_figure(self.data or "")
        except ValueError:
            raise ValidationError(self.not_a_number) from None


class FiguresForm(FlaskForm):
    """A form of figures; ``figures`` encloses one ``FigureField`` per metric."""

    figures: FormField

    def sent_figures(self) -> dict[str, Number | None]:
        """The figures sent that are numbers (None for a blank), keyed by metric id."""
        return {
            field.short_name: field.figure
            for field in self.figures.form
            if isinstance(field, FigureField) and field.sent and not field.errors
        }

    def unknown_figures(self, formdata: Mapping[str, Any]) -> list[str]:
        """Metric ids of posted ``<prefix>-…`` fields this form does not ask for."""
        prefix = f"{self.figures.name}-"
        return [
            key.removeprefix(prefix)[:60]
            for key in formdata
            if key.startswith(prefix) and key.removeprefix(prefix) not in self.figures.form
        ]


def figures_form(
    base: type[FiguresForm],
    prefix: str,
    metrics: Sequence[Metric],
    not_a_number: Callable[[Metric], str],
) -> type[FiguresForm]:
    """A form class for these metrics, built now: ``base`` with a ``FigureField`` for each
    metric, named ``<prefix>-<metric id>``."""
    figures = type(
        f"{base.__name__}Figures",
        (Form,),
        {metric.id: FigureField(metric.title, not_a_number(metric)) for metric in metrics},
    )
    # WTForms orders fields as they were declared; the figures come first on the page, so
    # the base's own fields (notes, …) are declared again after them.
    enclosed = FormField(figures, name=prefix)
    after = {
        key: UnboundField(value.field_class, *value.args, name=value.name, **value.kwargs)
        for key, value in vars(base).items()
        if isinstance(value, UnboundField)
    }
    return type(base.__name__, (base,), {"figures": enclosed, **after})


class ReturnForm(FiguresForm):
    notes = TextAreaField("Notes on these figures (optional)", filters=[_block])
    version = HiddenField()

    @property
    def base_version(self) -> int | None:
        """The version of the return the page was opened on (None if not a number)."""
        text = (self.version.data or "").strip()
        return int(text) if text.isascii() and text.isdigit() and len(text) < 9 else None


def return_form(metrics: Sequence[Metric]) -> type[ReturnForm]:
    """The return form for a quarter's metrics; fields ``metric-<id>``."""
    return figures_form(
        ReturnForm, "metric", metrics, lambda metric: f"Enter '{metric.title}' as a number, like 12"
    )


class TargetsForm(FiguresForm):
    pass


def targets_form(metrics: Sequence[Metric]) -> type[TargetsForm]:
    """The targets form for the metrics that add up over a year; fields ``target-<id>``."""
    return figures_form(
        TargetsForm,
        "target",
        metrics,
        lambda metric: f"Enter the target for '{metric.title}' as a number",
    )


class StartReturnForm(FlaskForm):
    # Not checked against the choices here: the service says what is wrong with a period.
    period = SelectField("Which quarter are the figures for?", validate_choice=False)


class StartTheoryForm(FlaskForm):
    """``years``: every financial year a version may be started for today (the service
    refuses one that already has a version, saying so)."""

    cycle = SelectField("Start a version for the financial year", validate_choice=False)

    def __init__(self, *args: Any, years: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.years = list(years)

    def validate_cycle(self, field: SelectField) -> None:
        if field.data not in self.years:
            raise ValidationError("Select a financial year from the list")


class TheoryForm(FlaskForm):
    challenge = TextAreaField("The workforce challenge", filters=[_block])
    inputs = TextAreaField("Inputs")
    activities = TextAreaField("Activities")
    outputs = TextAreaField("Outputs")
    impacts = TextAreaField("Long-term impact")

    def fields(self) -> TheoryOfChangeFields:
        """The challenge and the lists (one item a line) as the framework's value."""
        return TheoryOfChangeFields(
            challenge=self.challenge.data or "",
            inputs=parse_lines(self.inputs.data or ""),
            activities=parse_lines(self.activities.data or ""),
            outputs=parse_lines(self.outputs.data or ""),
            impacts=parse_lines(self.impacts.data or ""),
        )


class OutcomeForm(FlaskForm):
    text = StringField("Outcome", filters=[_line])
    metrics = SelectMultipleField(
        "Figures that evidence it", validate_choice=False, filters=[_unique]
    )
    domains = SelectMultipleField(
        "Maturity domains it depends on", validate_choice=False, filters=[_unique]
    )

    def outcome(self) -> Outcome:
        return Outcome(
            text=self.text.data or "",
            metric_ids=tuple(self.metrics.data or ()),
            domain_ids=tuple(self.domains.data or ()),
        )


class CaseStudyForm(FlaskForm):
    # The lengths of the two fields kept in limited columns are also checked here, so
    # that no value longer than its column reaches the service.
    title = StringField(
        "Title",
        filters=[_line],
        validators=[
            Length(
                max=CASE_STUDY_TITLE_LIMIT,
                message=f"Title must be {CASE_STUDY_TITLE_LIMIT} characters or fewer",
            )
        ],
    )
    body = TextAreaField("The case study", filters=[_block])
    first_name = StringField(
        "First name (optional)",
        filters=[_line],
        validators=[
            Length(
                max=CASE_STUDY_FIRST_NAME_LIMIT,
                message=f"First name must be {CASE_STUDY_FIRST_NAME_LIMIT} characters or fewer",
            )
        ],
    )
    period = SelectField("Quarter it relates to", validate_choice=False)
    domains = SelectMultipleField(
        "Maturity domains it shows (optional)", validate_choice=False, filters=[_unique]
    )
    groups = SelectMultipleField(
        "Groups it relates to (optional)", validate_choice=False, filters=[_unique]
    )
    consent = BooleanField("Consent")

    def fields(self) -> CaseStudyFields:
        return CaseStudyFields(
            title=self.title.data or "",
            body=self.body.data or "",
            first_name=self.first_name.data or None,
            consent_confirmed=bool(self.consent.data),
            period=self.period.data or "",
            domain_ids=tuple(self.domains.data or ()),
            groups=tuple(self.groups.data or ()),
        )
