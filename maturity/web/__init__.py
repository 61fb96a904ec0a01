"""The web layer: blueprints, security headers, error pages and the request transaction."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import partial
from typing import Any

from flask import Flask, Response, abort, flash, g, redirect, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import NoResultFound
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from maturity.extensions import db, login_manager
from maturity.jobs import jobs
from maturity.services import sessions

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class DatabaseIntConverter(IntegerConverter):
    """An ``<int:…>`` URL part that fits a database integer: a larger one is a 404,
    not an overflow deep in the database driver."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def register_web(app: Flask) -> None:
    """Attach blueprints, sign-in handling, headers, error pages and template helpers."""
    app.url_map.converters["int"] = DatabaseIntConverter
    from govuk_frontend_wtf.main import WTFormsHelpers

    from maturity.web import (
        actions,
        admin,
        api,
        assessments,
        auth,
        directory,
        impact,
        introductions,
        main,
        moderation,
        orgs,
        partners,
        regional,
        results,
    )

    for blueprint in (
        main.bp,
        auth.bp,
        orgs.bp,
        assessments.bp,
        results.bp,
        actions.bp,
        impact.bp,
        directory.bp,
        admin.bp,
        regional.bp,
        api.bp,
        partners.bp,
        moderation.bp,
        introductions.bp,
    ):
        app.register_blueprint(blueprint)
    WTFormsHelpers(app)

    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    lifetime = timedelta(seconds=int(app.config["PERMANENT_SESSION_LIFETIME"]))
    login_manager.user_loader(partial(sessions.user_for, max_age=lifetime))
    login_manager.request_loader(_user_from_api_token)
    login_manager.unauthorized_handler(_unauthorised)

    app.before_request(_make_nonce)
    app.before_request(_refuse_nul_characters)
    app.after_request(_finish_request)
    app.context_processor(partial(_template_context, app.config["SERVICE_NAME"]))
    _register_error_pages(app)


def _user_from_api_token(request_: Any) -> Any:
    # Tokens authenticate API requests only: never the HTML pages and their forms.
    if not request_.path.startswith("/api/"):
        return None
    header = request_.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    from maturity.services.tokens import user_for_token

    return user_for_token(header.removeprefix("Bearer ").strip())


def _unauthorised() -> Any:
    if request.path.startswith("/api/"):
        abort(401)
    from flask_login.utils import login_url

    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url(str(login_manager.login_view), next_url=request.url))


def _make_nonce() -> None:
    g.csp_nonce = secrets.token_urlsafe(16)


def _refuse_nul_characters() -> None:
    # No address, form or query value is ever meant to hold a NUL character, and
    # PostgreSQL text cannot store one: a path with one names no page (404); a value with
    # one is malformed (400). Either way, refused before it reaches a query.
    if "\x00" in request.path:
        abort(404)
    for values in (request.args, request.form):
        for _key, value in values.items(multi=True):
            if "\x00" in value or "\x00" in _key:
                abort(400)


def _finish_request(response: Response) -> Response:
    # One commit per request, only when it succeeded; services only flush.
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    # Jobs asked for during the request are queued only once its work is saved.
    jobs().run_pending(committed=response.status_code < 400)
    nonce = g.get("csp_nonce", "")
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY.format(nonce=nonce))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if current_user and current_user.is_authenticated:
        # Pages for a signed-in person must not be kept by shared caches.
        headers.setdefault("Cache-Control", "no-store")
    return response


def _template_context(service_name: str) -> dict[str, Any]:
    from maturity.web.navigation import navigation_for

    return {
        "cspNonce": g.get("csp_nonce"),
        "service_name": service_name,
        "navigation": navigation_for(current_user, request.endpoint),
    }


def _register_error_pages(app: Flask) -> None:
    titles = {
        400: (
            "There was a problem with your request",
            "Go back, check what you entered and try again.",
        ),
        403: (
            "You do not have permission to see this page",
            "If you think you should, ask your organisation's lead or an administrator.",
        ),
        404: (
            "Page not found",
            "If you typed the web address, check it is correct. "
            "If you pasted it, check you copied the whole address.",
        ),
        405: ("That action is not possible on this page", "Go back and try again."),
        413: (
            "What you sent was too large",
            "Nothing was saved. Go back, shorten the longest answers and try again.",
        ),
        429: ("Too many attempts", "Wait a few minutes, then try again."),
        500: (
            "Sorry, there is a problem with the service",
            "Try again later. What you saved before is safe.",
        ),
    }

    def render_error(code: int, detail: str | None = None) -> tuple[str, int]:
        title, body = titles.get(code, titles[500])
        return render_template("error.html", title=title, body=detail or body, code=code), code

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        return render_error(
            400,
            "The form could not be sent because it had expired or was not sent from this "
            "service. Go back, reload the page and try again.",
        )

    @app.errorhandler(NoResultFound)
    def not_found(error: NoResultFound) -> Any:
        return render_error(404)

    @app.errorhandler(500)
    def server_error(error: Exception) -> Any:
        # A failed statement leaves PostgreSQL's transaction aborted: clear it before the
        # error page loads the signed-in user.
        db.session.rollback()
        return render_error(500)
