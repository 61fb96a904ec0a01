"""Secrets people hold and the hashes we keep of them.

Links in emails, API tokens and signed-in sessions all work the same way: a random key
goes to the person, and only its SHA-256 hash is stored, so a copy of the database opens
nothing.
"""

from __future__ import annotations

import hashlib
import secrets


def new_key() -> str:
    """A random key (256 bits), safe in a URL or a cookie."""
    return secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    """The SHA-256 of a key, as stored."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
