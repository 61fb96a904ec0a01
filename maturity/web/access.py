"""Who may open which page.

Every view declares a policy with ``@requires(...)``. The access-control test walks the
URL map and fails for any view without one, so a new route cannot slip through
unguarded.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, g, request, session
from flask_login import current_user

from maturity.extensions import login_manager
from maturity.models import Region, Role
from maturity.services.introductions import introduction_by_id, lead_of
from maturity.services.moderation import is_moderator, moderation_by_id
from maturity.services.organisations import organisation_and_membership
from maturity.services.partners import respondent_for_key
from maturity.services.reference import list_regions, region_by_code

F = TypeVar("F", bound=Callable[..., Any])


class Policy(enum.StrEnum):
    """The kinds of rule a view can declare."""

    PUBLIC = "public"  # anyone, signed in or not
    SIGNED_IN = "signed_in"  # any signed-in user
    ORG_MEMBER = "org_member"  # a member of the organisation in the URL (or an administrator)
    ORG_LEAD = "org_lead"  # a lead of the organisation in the URL (or an administrator)
    REGIONAL_LEAD = "regional_lead"  # a regional lead (or an administrator)
    ADMIN = "admin"  # a site administrator
    # the browser that followed the invitation link of the partner in the URL
    # (``respondent_id``): no account or membership needed
    PARTNER = "partner"
    # The named moderator of the moderation in the URL (``moderation_id``): a regional
    # lead of the named region or a lead of the named peer academy. Not administrators.
    MODERATOR = "moderator"
    # A lead of the academy the introduction in the URL (``introduction_id``) was sent
    # to. Not administrators: accepting shares the person's own contact details.
    INTRODUCTION_RECIPIENT = "introduction_recipient"


def requires(policy: Policy) -> Callable[[F], F]:
    """Declare and enforce who may use a view.

    Organisation policies read the ``slug`` URL argument, put the organisation on
    ``g.organisation`` and the user's membership (if any) on ``g.membership``.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if policy is Policy.PARTNER:
                _enforce_partner(kwargs)
            elif policy is not Policy.PUBLIC:
                if not current_user.is_authenticated:
                    return login_manager.unauthorized()
                _enforce(policy, kwargs)
            return view(*args, **kwargs)

        guarded.access_policy = policy  # type: ignore[attr-defined]
        return cast(F, guarded)

    return decorator


def _enforce(policy: Policy, view_args: dict[str, Any]) -> None:
    user = current_user
    if policy is Policy.MODERATOR:
        g.moderation = moderation_by_id(view_args["moderation_id"])
        if not is_moderator(user, g.moderation):
            abort(403)
    if policy is Policy.INTRODUCTION_RECIPIENT:
        g.introduction = introduction_by_id(view_args["introduction_id"])
        if not lead_of(user, g.introduction.to_organisation):
            abort(403)
    if policy is Policy.ADMIN and not user.is_admin:
        abort(403)
    if policy is Policy.REGIONAL_LEAD and not (user.is_admin or user.regional_leads):
        abort(403)
    if policy in (Policy.ORG_MEMBER, Policy.ORG_LEAD):
        organisation, membership = organisation_and_membership(view_args["slug"], user)
        g.organisation = organisation
        g.membership = membership
        if user.is_admin:
            return
        if membership is None:
            abort(403)
        if policy is Policy.ORG_LEAD and membership.role != Role.LEAD:
            abort(403)


PARTNER_KEYS = "partner_keys"  # the session's {respondent id: key} of partner links followed


def _enforce_partner(view_args: dict[str, Any]) -> None:
    """Only the browser holding the partner's key (from following their link) gets in;
    the partner goes on ``g.respondent``. Removing the partner ends the key."""
    respondent_id = view_args["respondent_id"]
    key = (session.get(PARTNER_KEYS) or {}).get(str(respondent_id))
    respondent = respondent_for_key(respondent_id, key if isinstance(key, str) else None)
    if respondent is None:
        abort(403)
    g.respondent = respondent


def is_org_lead() -> bool:
    """Whether the signed-in user leads the organisation of this request (administrators
    count as leads). Only inside a view guarded by an organisation policy."""
    return bool(current_user.is_admin or (g.membership and g.membership.role == Role.LEAD))


def regions_led() -> list[Region]:
    """The regions the signed-in user may see as a regional lead: every region for an
    administrator, in England's usual order."""
    if current_user.is_admin:
        return list(list_regions())
    return sorted((lead.region for lead in current_user.regional_leads), key=lambda r: r.sort_order)


def led_region(code: str) -> Region:
    """The region with this code if the signed-in user leads it (or administers the
    service): 404 for an unknown code, 403 for someone else's region."""
    found = region_by_code(code)
    if found is None:
        abort(404)
    if not current_user.is_admin and all(
        lead.region_id != found.id for lead in current_user.regional_leads
    ):
        abort(403)
    return found


def client_ip() -> str | None:
    """The client's address as the app sees it (behind a proxy, configure ProxyFix)."""
    return request.remote_addr
