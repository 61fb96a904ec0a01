"""The navigation bar: links that fit the signed-in person's roles."""

from __future__ import annotations

from typing import Any

from flask import url_for


def navigation_for(user: Any, endpoint: str | None) -> list[dict[str, Any]]:
    """Service navigation items for this user, marking the current section active."""
    if user is None or not user.is_authenticated:
        return []
    items: list[tuple[str, str, str]] = [
        ("Home", "main.home", "main."),
        ("Practice directory", "directory.index", "directory."),
    ]
    if user.regional_leads or user.is_admin:
        items.append(("Regions", "regional.index", "regional."))
    else:
        items.append(("Compare regions", "regional.compare", "regional."))
    if user.regional_leads:
        items.append(("Moderation", "moderation.inbox", "moderation."))
    if user.is_admin:
        items.append(("Administration", "admin.index", "admin."))
    items.append(("Your account", "auth.account", "auth."))
    current = endpoint or ""
    return [
        {"text": text, "href": url_for(target), "active": current.startswith(prefix)}
        for text, target, prefix in items
    ]
