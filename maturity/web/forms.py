"""Forms, rendered with the GOV.UK Frontend widgets."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.utils import unset_value
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from maturity.models import (
    ActionStatus,
    Choice,
    DeliveryMode,
    FundingMix,
    HostBodyType,
    Locality,
    OrganisationKind,
    OrganisationStatus,
    Role,
)
from maturity.services.accounts import PASSWORD_MAX_LENGTH
from maturity.services.actions import OWNER_LIMIT, TITLE_LIMIT
from maturity.services.organisations import ProfileChanges
from maturity.services.tokens import NAME_LIMIT as TOKEN_NAME_LIMIT

# Longest password a sign-in or "current password" field takes: more than any password
# the service sets, far less than a request can hold.
PASSWORD_FIELD_LIMIT = 256


def place_error(form: FlaskForm, error: Exception, default: str) -> None:
    """Show a service's refusal on the form field it names (its ``field``), or on
    ``default`` when it names none of this form's fields. Services name fields; views
    never route an error by its wording."""
    name = getattr(error, "field", None)
    field = form[name if name in form else default]
    field.errors = [*field.errors, str(error)]


def _strip(value: str | None) -> str | None:
    # People paste addresses and names with stray spaces; they should not cause errors.
    return value.strip() if isinstance(value, str) else value


def _length(what: str, limit: int) -> Length:
    """At most ``limit`` characters, refused in GOV.UK's words: "<what> must be 200
    characters or fewer"."""
    return Length(max=limit, message=f"{what} must be {limit:,} characters or fewer")


def _choices(enum_class: type[Choice]) -> list[tuple[str, str]]:
    return [(member.value, member.label) for member in enum_class]


def _email(label: str, required: str, *, check_format: bool = True) -> EmailField:
    """An email address field; ``check_format`` also refuses text that is not one."""
    checks: list[Any] = [InputRequired(required), _length("Email address", 254)]
    if check_format:
        checks.insert(
            1, Email("Enter an email address in the correct format, like name@example.org")
        )
    return EmailField(label, widget=GovTextInput(), filters=[_strip], validators=checks)


class ChoiceSelectField(SelectField):
    """A select whose refusal of a value it does not offer is a GOV.UK message
    (``invalid_choice``), not WTForms' "Not a valid choice"."""

    def __init__(self, *args: Any, invalid_choice: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invalid_choice = invalid_choice

    def pre_validate(self, form: Any) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(self.invalid_choice) from None


class ChoiceRadioField(ChoiceSelectField, RadioField):
    """Radios refusing a value they do not offer with ``invalid_choice``."""


class YearField(IntegerField):
    """A year typed as four digits. Anything else (``2_023``, ``٢٠٢٣``, 100,000 digits)
    is an error on the field in GOV.UK's words (``message``), not "Not a valid integer
    value"."""

    def __init__(self, label: str, message: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.message = message

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        self.data = int(text) if len(text) == 4 and text.isascii() and text.isdigit() else None
        if text and self.data is None:
            raise ValueError(self.message)


def _region() -> SelectField:
    return ChoiceSelectField(
        "Region",
        widget=GovSelect(),
        validators=[InputRequired("Select a region")],
        invalid_choice="Select a region",
    )


def _enum_radios(
    label: str, enum_class: type[Choice], required: str | None = None, *, invalid: str = ""
) -> RadioField:
    """Radios for one of the models' choice enums; ``required``: the message when none
    is chosen (optional if None); ``invalid``: the message for a value not offered
    (``required`` by default)."""
    return ChoiceRadioField(
        label,
        widget=GovRadioInput(),
        choices=_choices(enum_class),
        # Optional without stripping: a blank choice ("") is none, but " " is not offered.
        validators=[InputRequired(required)] if required else [Optional(strip_whitespace=False)],
        invalid_choice=invalid or required or f"Select the {label.lower()} from the list",
    )


class SignInForm(FlaskForm):
    email = _email("Email address", "Enter your email address", check_format=False)
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter your password"),
            _length("Password", PASSWORD_FIELD_LIMIT),
        ],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    submit = SubmitField("Sign out", widget=GovSubmitInput())


class SignOutEverywhereForm(FlaskForm):
    submit = SubmitField("Sign out of all devices", widget=GovSubmitInput())


class UnlockForm(FlaskForm):
    submit = SubmitField("Unlock my account", widget=GovSubmitInput())


class AccountStatusForm(FlaskForm):
    """An administrator deactivates or reactivates a person: the page says which, the
    form carries only its CSRF token."""


class NewPasswordMixin:
    password = PasswordField(
        "Create a password",
        widget=GovPasswordInput(),
        description="Use 12 characters or more. Three random words work well.",
        validators=[
            InputRequired("Enter a password"),
            _length("Password", PASSWORD_MAX_LENGTH),
        ],
    )
    confirm = PasswordField(
        "Confirm your password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Confirm your password"),
            EqualTo("password", "The passwords do not match"),
        ],
    )


class AcceptInvitationForm(NewPasswordMixin, FlaskForm):
    name = StringField(
        "Your full name",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[DataRequired("Enter your full name"), _length("Full name", 200)],
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())


class JoinForm(FlaskForm):
    submit = SubmitField("Accept invitation", widget=GovSubmitInput())


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    submit = SubmitField("Set new password", widget=GovSubmitInput())


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter your current password"),
            _length("Current password", PASSWORD_FIELD_LIMIT),
        ],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())


class RequestPasswordResetForm(FlaskForm):
    email = _email("Email address", "Enter your email address")
    submit = SubmitField("Send reset link", widget=GovSubmitInput())


class InviteForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[DataRequired("Enter the person's full name"), _length("Full name", 200)],
    )
    email = _email("Email address", "Enter the person's email address")
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class InviteMemberForm(InviteForm):
    role = ChoiceRadioField(
        "Role",
        widget=GovRadioInput(),
        choices=[
            ("contributor", "Contributor: can answer and save assessments"),
            ("lead", "Lead: can also submit assessments and manage the team"),
        ],
        default="contributor",
        validators=[InputRequired("Select a role")],
        invalid_choice="Select a role",
    )


class RegionalLeadInviteForm(InviteForm):
    region = _region()


class ChangeRoleForm(FlaskForm):
    role = _enum_radios("Role", Role, "Select a role")
    submit = SubmitField("Save role", widget=GovSubmitInput())


class RemoveMemberForm(FlaskForm):
    submit = SubmitField("Remove from team", widget=GovSubmitInput())


# Made before the profile fields, so that forms with them list (and order their errors)
# name and region first, as their pages show them.
_ORGANISATION_NAME = StringField(
    "Name",
    widget=GovTextInput(),
    filters=[_strip],
    validators=[DataRequired("Enter the organisation's name"), _length("Name", 200)],
)
_ORGANISATION_REGION = _region()


class OrganisationProfileForm(FlaskForm):
    """The profile fields peer matching and the regional figures use (what a lead sets
    up; the region is fixed once the organisation exists)."""

    status = _enum_radios(
        "Status", OrganisationStatus, "Select whether the academy is live or being scoped"
    )
    kind = _enum_radios("Kind of academy", OrganisationKind, "Select the kind of academy")
    host_body_type = _enum_radios("Host body", HostBodyType, "Select the host body")
    delivery_mode = _enum_radios("Delivery mode", DeliveryMode, "Select the delivery mode")
    locality = _enum_radios("Type of locality", Locality, invalid="Select the type of locality")
    funding_mix = _enum_radios("Funding", FundingMix, invalid="Select how the academy is funded")
    year_established = YearField(
        "Year established",
        "Enter the year established as 4 digits, like 2023",
        widget=GovTextInput(),
        description="Leave blank if the academy has not launched yet. For example, 2023",
        validators=[Optional()],
    )
    shares_named_results = BooleanField(
        "Share named results with regional leads and peer academies",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save profile", widget=GovSubmitInput())

    def changes(self, name: str | None = None) -> ProfileChanges:
        """The profile a valid form describes (with a new name, if given)."""
        return ProfileChanges(
            status=OrganisationStatus(self.status.data),
            kind=OrganisationKind(self.kind.data),
            host_body_type=HostBodyType(self.host_body_type.data),
            delivery_mode=DeliveryMode(self.delivery_mode.data),
            year_established=self.year_established.data,
            locality=Locality(self.locality.data) if self.locality.data else None,
            funding_mix=FundingMix(self.funding_mix.data) if self.funding_mix.data else None,
            shares_named_results=bool(self.shares_named_results.data),
            name=name,
        )

    def validate_year_established(self, field: IntegerField) -> None:
        # Checked at request time: a worker running over New Year must not keep last
        # year's upper bound.
        if field.data is not None and not 2000 <= field.data <= date.today().year + 1:
            raise ValidationError("Enter a year between 2000 and next year")


class OrganisationForm(OrganisationProfileForm):
    name = _ORGANISATION_NAME
    region = _ORGANISATION_REGION
    submit = SubmitField("Save organisation", widget=GovSubmitInput())


class EditOrganisationForm(OrganisationProfileForm):
    """An administrator edits an organisation: its name and profile."""

    name = _ORGANISATION_NAME
    submit = SubmitField("Save organisation", widget=GovSubmitInput())


class ArchiveOrganisationForm(FlaskForm):
    """Archive an organisation (with the reason), or restore an archived one."""

    reason = TextAreaField(
        "Why is it being archived?",
        widget=GovTextArea(),
        filters=[_strip],
        description="For example, “Merged with Northshire Care Academy in 2026”. "
        "It is kept in the audit log.",
        validators=[Optional(), _length("The reason", 500)],
    )
    submit = SubmitField("Archive organisation", widget=GovSubmitInput())


# --- The action plan ------------------------------------------------------------------------


class DayMonthYearField(Field):
    """A date entered as GOV.UK's three boxes, posted as ``<name>-day``, ``<name>-month``
    and ``<name>-year``; None when all three are blank, an error on the field when they
    are not a real date. Rendered with the govukDateInput macro from ``field.parts``."""

    PARTS = ("day", "month", "year")
    data: date | None

    def __init__(self, label: str, message: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.message = message
        self.parts = dict.fromkeys(self.PARTS, "")

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        names = [f"{self.name}-{part}" for part in self.PARTS]
        if formdata is None or not any(name in formdata for name in names):
            super().process(None, data, extra_filters)
            if isinstance(self.data, date):
                self.parts = {"day": str(self.data.day), "month": str(self.data.month)}
                self.parts["year"] = str(self.data.year)
            return
        self.process_errors = []
        self.parts = {part: formdata.get(f"{self.name}-{part}", "").strip() for part in self.PARTS}
        self.data = None
        if any(self.parts.values()):
            try:
                self.data = date(*(int(self.parts[part]) for part in ("year", "month", "day")))
            except (ValueError, OverflowError):
                self.process_errors.append(self.message)


class ActionForm(FlaskForm):
    """Add or change an action. ``domain`` choices are the sections of the questionnaire
    the action belongs to, set by the view."""

    assessment = HiddenField()
    indicator = HiddenField()
    title = TextAreaField(
        "What needs to be done",
        validators=[
            InputRequired("Enter what needs to be done"),
            _length("The action", TITLE_LIMIT),
        ],
    )
    owner = StringField(
        "Owner",
        description="A person or team, for example “Workforce lead”.",
        validators=[InputRequired("Enter who owns the action"), _length("The owner", OWNER_LIMIT)],
    )
    domain = SelectField(
        "Section",
        validate_choice=False,  # checked below, with a message a person can act on
        validators=[InputRequired("Select the section the action belongs to")],
    )
    due = DayMonthYearField("Due date (optional)", "Enter a real due date, for example 31 3 2027")
    status = ChoiceRadioField(
        "Status",
        choices=_choices(ActionStatus),
        default=ActionStatus.NOT_STARTED.value,
        validators=[InputRequired("Select the status")],
        invalid_choice="Select the status",
    )
    submit = SubmitField("Save action", widget=GovSubmitInput())

    def validate_domain(self, field: SelectField) -> None:
        if field.data not in {value for value, _label in field.choices or ()}:
            raise ValidationError("Select the section the action belongs to")


# --- The practice directory -------------------------------------------------------------------

# A directory academy's kind is an organisation kind, with the same labels.
DIRECTORY_KINDS = dict(_choices(OrganisationKind))


def _text(label: str, required: str | None = None, limit: int = 300, **kwargs: Any) -> StringField:
    """A one-line text field, trimmed; ``required``: the message when it is left empty."""
    checks: list[Any] = [DataRequired(required)] if required else [Optional()]
    return StringField(
        label,
        widget=GovTextInput(),
        filters=[_strip],
        validators=[*checks, _length(label, limit)],
        **kwargs,
    )


class DirectoryEntryForm(FlaskForm):
    """An academy in the practice directory and the first thing it is known for. The
    ``region`` and ``domains`` choices are set by the view."""

    name = _text("Academy name", "Enter the academy's name", 200)
    region = SelectField("Region (optional)", widget=GovSelect(), validate_choice=False)
    kind = SelectField(
        "Type (optional)",
        widget=GovSelect(),
        choices=[("", "Not given"), *DIRECTORY_KINDS.items()],
        validate_choice=False,
    )
    launched = _text("Year launched (optional)", limit=4)
    funding = _text("Funding (optional)", limit=200)  # as long as its column
    summary = TextAreaField(
        "Summary (optional)",
        widget=GovTextArea(),
        filters=[_strip],
        validators=[_length("The summary", 2000)],
    )
    practice = TextAreaField(
        "Known for",
        widget=GovTextArea(),
        filters=[_strip],
        validators=[
            DataRequired("Enter what the academy is known for"),
            _length("What the academy is known for", 1000),
        ],
    )
    domains = SelectMultipleField(
        "Sections this practice belongs to", widget=GovCheckboxesInput(), validate_choice=False
    )
    source_title = _text(
        "Source", "Enter the source of this fact", description="The document the fact comes from."
    )
    source_section = _text("Section of the source (optional)")
    submit = SubmitField("Save entry", widget=GovSubmitInput())

    def validate_region(self, field: SelectField) -> None:
        if field.data and field.data not in {value for value, _label in field.choices or ()}:
            raise ValidationError("Select a region from the list")

    def validate_kind(self, field: SelectField) -> None:
        if field.data and field.data not in DIRECTORY_KINDS:
            raise ValidationError("Select the kind of academy")

    def validate_launched(self, field: StringField) -> None:
        text = field.data or ""
        if text and not (
            len(text) == 4 and text.isascii() and text.isdigit() and 1990 <= int(text) <= 2100
        ):
            raise ValidationError("Enter the launch year as four digits, like 2023")

    def validate_domains(self, field: SelectMultipleField) -> None:
        known = {value for value, _label in field.choices or ()}
        if not any(value in known for value in field.data or []):
            raise ValidationError("Select at least one section the practice belongs to")
        if any(value not in known for value in field.data or []):
            # Not dropped quietly: what is saved is what was ticked.
            raise ValidationError("Select sections from the list")


class ApiTokenForm(FlaskForm):
    name = StringField(
        "Name of a new token",
        widget=GovTextInput(),
        filters=[_strip],
        description="So you can tell your tokens apart, for example “Power BI dashboard”.",
        validators=[_length("The name", TOKEN_NAME_LIMIT)],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())


class PublishOpenDataForm(FlaskForm):
    """Which cycle's national figures to publish (the choices are set by the view), the
    fingerprint of the file the administrator previewed, and their confirmation."""

    cycle = ChoiceSelectField(
        "Cycle",
        widget=GovSelect(),
        validators=[InputRequired("Select a cycle")],
        invalid_choice="Select a cycle",
    )
    digest = HiddenField()
    confirm = BooleanField(
        "I have checked this file: no academy is named and small groups are withheld",
        widget=GovCheckboxInput(),
        validators=[DataRequired("Confirm that you have checked the file")],
    )
    submit = SubmitField("Publish", widget=GovSubmitInput())


class WithdrawOpenDataForm(FlaskForm):
    reason = TextAreaField(
        "Why is the file being withdrawn?",
        widget=GovTextArea(),
        filters=[_strip],
        description="This is shown on the public open data page.",
        validators=[DataRequired("Enter why the file is being withdrawn"), _length("Reason", 500)],
    )
    submit = SubmitField("Withdraw file", widget=GovSubmitInput())


class ReminderForm(FlaskForm):
    """A reminder button on the regional dashboard: the cycle it is about."""

    cycle = HiddenField()


class ResendInvitationForm(FlaskForm):
    """Send an invitation again with a fresh link (the old one stops working)."""

    submit = SubmitField("Send a new link", widget=GovSubmitInput())


class CancelInvitationForm(FlaskForm):
    submit = SubmitField("Cancel invitation", widget=GovSubmitInput())


class LeaveOrganisationForm(FlaskForm):
    submit = SubmitField("Leave organisation", widget=GovSubmitInput())


class AuditFilterForm(FlaskForm):
    """The audit log's filters, sent by GET (nothing changes, so no CSRF token); the
    organisation and kind choices are set by the view."""

    class Meta:
        csrf = False

    who = StringField(
        "Person",
        widget=GovTextInput(),
        filters=[_strip],
        description="Part of a name or email address",
        validators=[_length("The person", 254)],
    )
    organisation = SelectField("Organisation", widget=GovSelect(), validate_choice=False)
    kind = SelectField("Kind of event", widget=GovSelect(), validate_choice=False)
    start = DayMonthYearField("From", "Enter a real date to start from, for example 1 4 2026")
    end = DayMonthYearField("To", "Enter a real date to end on, for example 31 3 2027")

    def validate_end(self, field: DayMonthYearField) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The end date must be the same as or after the start date")


class CycleWindowForm(FlaskForm):
    """Open a cycle: where (England or a region; the choices are set by the view), when,
    and on which questionnaire version."""

    cycle = StringField(
        "Cycle",
        widget=GovTextInput(),
        filters=[_strip],
        description="A financial year, like 2026/27",
        validators=[DataRequired("Enter the cycle, like 2026/27"), _length("The cycle", 7)],
    )
    region = ChoiceSelectField(
        "Where",
        widget=GovSelect(),
        validators=[InputRequired("Select where the cycle opens")],
        invalid_choice="Select where the cycle opens",
    )
    opens_on = DayMonthYearField("Opens on", "Enter a real opening date, for example 1 10 2026")
    closes_on = DayMonthYearField("Closes on", "Enter a real closing date, for example 31 3 2027")
    questionnaire_version = ChoiceSelectField(
        "Questionnaire version",
        widget=GovSelect(),
        validators=[InputRequired("Select a questionnaire version")],
        invalid_choice="Select a questionnaire version",
    )
    submit = SubmitField("Open the cycle", widget=GovSubmitInput())

    def validate_opens_on(self, field: DayMonthYearField) -> None:
        if field.data is None and not field.errors:
            raise ValidationError("Enter the opening date")

    def validate_closes_on(self, field: DayMonthYearField) -> None:
        if field.data is None and not field.errors:
            raise ValidationError("Enter the closing date")


class QuestionnaireUploadForm(FlaskForm):
    """Upload a questionnaire file (YAML) as a draft new version."""

    file = FileField(
        "Upload a questionnaire file",
        widget=GovFileInput(),
        description="A YAML file (.yaml) with a new version number, up to 512 KB",
        validators=[FileRequired("Select a questionnaire file")],
    )
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class PublishQuestionnaireForm(FlaskForm):
    """Publish a draft questionnaire version for a future cycle (choices set by the view)."""

    cycle = ChoiceSelectField(
        "In service from the cycle",
        widget=GovSelect(),
        validators=[InputRequired("Select a cycle")],
        invalid_choice="Select a cycle",
    )
    confirm = BooleanField(
        "I have checked the changes: once published this version cannot be changed",
        widget=GovCheckboxInput(),
        validators=[DataRequired("Confirm that you have checked the changes")],
    )
    submit = SubmitField("Publish this version", widget=GovSubmitInput())
