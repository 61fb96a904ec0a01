"""What an assessment request can be refused for, and the limits on what people type."""

from __future__ import annotations

EVIDENCE_NOTE_LIMIT = 3000
REASON_LIMIT = 1000
URL_LIMIT = 500


class AssessmentError(Exception):
    """An assessment request that cannot be met; the message is for the user.

    ``field`` names the form field the message belongs to (``None``: the request as a
    whole), so that a view can place it without reading the message.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
