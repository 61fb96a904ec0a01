"""Forms, rendered with the GOV.UK Frontend widgets."""

from __future__ import annotations

import enum
from datetime import date

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


def _choices(enum_class: type[enum.Enum]) -> list[tuple[str, str]]:
    # Every choice enum in the models has a ``label`` for people to read.
    return [(member.value, member.label) for member in enum_class]  # type: ignore[attr-defined]


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[InputRequired("Enter your email address"), Length(max=254)],
    )
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
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            InputRequired("Enter your email address"),
            Email("Enter an email address in the correct format, like name@example.org"),
            Length(max=254),
        ],
    )
    submit = SubmitField("Send reset link", widget=GovSubmitInput())


class InviteForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[InputRequired("Enter the person's full name"), Length(max=200)],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            InputRequired("Enter the person's email address"),
            Email("Enter an email address in the correct format, like name@example.org"),
            Length(max=254),
        ],
    )
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
    region = SelectField(
        "Region", widget=GovSelect(), validators=[InputRequired("Select a region")]
    )


class ChangeRoleForm(FlaskForm):
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=_choices(Role),
        validators=[InputRequired("Select a role")],
    )
    submit = SubmitField("Save role", widget=GovSubmitInput())


class RemoveMemberForm(FlaskForm):
    submit = SubmitField("Remove from team", widget=GovSubmitInput())


class OrganisationForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the organisation's name"), Length(max=200)],
    )
    region = SelectField(
        "Region", widget=GovSelect(), validators=[InputRequired("Select a region")]
    )
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=_choices(OrganisationStatus),
        validators=[InputRequired("Select whether the academy is live or being scoped")],
    )
    kind = RadioField(
        "Kind of academy",
        widget=GovRadioInput(),
        choices=_choices(OrganisationKind),
        validators=[InputRequired("Select the kind of academy")],
    )
    host_body_type = RadioField(
        "Host body",
        widget=GovRadioInput(),
        choices=_choices(HostBodyType),
        validators=[InputRequired("Select the host body")],
    )
    delivery_mode = RadioField(
        "Delivery mode",
        widget=GovRadioInput(),
        choices=_choices(DeliveryMode),
        validators=[InputRequired("Select the delivery mode")],
    )
    locality = RadioField(
        "Type of locality",
        widget=GovRadioInput(),
        choices=_choices(Locality),
        validators=[Optional()],
    )
    funding_mix = RadioField(
        "Funding",
        widget=GovRadioInput(),
        choices=_choices(FundingMix),
        validators=[Optional()],
    )
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
