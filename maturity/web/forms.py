"""Forms, rendered with the GOV.UK Frontend widgets."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from maturity.models import (
    Choice,
    DeliveryMode,
    FundingMix,
    HostBodyType,
    Locality,
    OrganisationKind,
    OrganisationStatus,
    Role,
)


def _strip(value: str | None) -> str | None:
    # People paste addresses and names with stray spaces; they should not cause errors.
    return value.strip() if isinstance(value, str) else value


def _choices(enum_class: type[Choice]) -> list[tuple[str, str]]:
    return [(member.value, member.label) for member in enum_class]


def _email(label: str, required: str, *, check_format: bool = True) -> EmailField:
    """An email address field; ``check_format`` also refuses text that is not one."""
    checks: list[Any] = [InputRequired(required), Length(max=254)]
    if check_format:
        checks.insert(
            1, Email("Enter an email address in the correct format, like name@example.org")
        )
    return EmailField(label, widget=GovTextInput(), filters=[_strip], validators=checks)


def _region() -> SelectField:
    return SelectField("Region", widget=GovSelect(), validators=[InputRequired("Select a region")])


def _enum_radios(label: str, enum_class: type[Choice], required: str | None = None) -> RadioField:
    """Radios for one of the models' choice enums; ``required``: the message when none
    is chosen (optional if None)."""
    return RadioField(
        label,
        widget=GovRadioInput(),
        choices=_choices(enum_class),
        validators=[InputRequired(required)] if required else [Optional()],
    )


class SignInForm(FlaskForm):
    email = _email("Email address", "Enter your email address", check_format=False)
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=256)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    submit = SubmitField("Sign out", widget=GovSubmitInput())


class NewPasswordMixin:
    password = PasswordField(
        "Create a password",
        widget=GovPasswordInput(),
        description="Use 12 characters or more. Three random words work well.",
        validators=[InputRequired("Enter a password"), Length(max=256)],
    )
    confirm = PasswordField(
        "Confirm your password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Confirm your password")],
    )


class AcceptInvitationForm(NewPasswordMixin, FlaskForm):
    name = StringField(
        "Your full name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter your full name"), Length(max=200)],
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
        validators=[InputRequired("Enter your current password")],
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
        validators=[InputRequired("Enter the person's full name"), Length(max=200)],
    )
    email = _email("Email address", "Enter the person's email address")
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class InviteMemberForm(InviteForm):
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=[
            ("contributor", "Contributor: can answer and save assessments"),
            ("lead", "Lead: can also submit assessments and manage the team"),
        ],
        default="contributor",
        validators=[InputRequired("Select a role")],
    )


class RegionalLeadInviteForm(InviteForm):
    region = _region()


class ChangeRoleForm(FlaskForm):
    role = _enum_radios("Role", Role, "Select a role")
    submit = SubmitField("Save role", widget=GovSubmitInput())


class RemoveMemberForm(FlaskForm):
    submit = SubmitField("Remove from team", widget=GovSubmitInput())


class OrganisationForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the organisation's name"), Length(max=200)],
    )
    region = _region()
    status = _enum_radios(
        "Status", OrganisationStatus, "Select whether the academy is live or being scoped"
    )
    kind = _enum_radios("Kind of academy", OrganisationKind, "Select the kind of academy")
    host_body_type = _enum_radios("Host body", HostBodyType, "Select the host body")
    delivery_mode = _enum_radios("Delivery mode", DeliveryMode, "Select the delivery mode")
    locality = _enum_radios("Type of locality", Locality)
    funding_mix = _enum_radios("Funding", FundingMix)
    year_established = IntegerField(
        "Year established",
        widget=GovTextInput(),
        description="Leave blank if the academy has not launched yet. For example, 2023",
        validators=[Optional()],
    )
    shares_named_results = BooleanField(
        "Share named results with regional leads and peer academies",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save organisation", widget=GovSubmitInput())

    def validate_year_established(self, field: IntegerField) -> None:
        # Checked at request time: a worker running over New Year must not keep last
        # year's upper bound.
        if field.data is not None and not 2000 <= field.data <= date.today().year + 1:
            raise ValidationError("Enter a year between 2000 and next year")
