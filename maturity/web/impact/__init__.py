"""Impact: quarterly returns, trends and totals, targets, the theory of change, case studies,
and the two reports (the quarterly impact report and "Making the case").

One blueprint, ``impact``, whose views live in a module for each sub-area (``returns``,
``targets``, ``theory``, ``case_studies``, ``reports``); the forms are in ``forms``. Thin
views: form → service → redirect or render. Forms keep what was valid and show each error
on the field the service names (status 200, so the valid parts are committed). Every page
works without JavaScript.
"""

from __future__ import annotations

from maturity.web.impact import case_studies, reports, returns, targets, theory
from maturity.web.impact.common import bp, figure, names_in, signed

__all__ = [
    "bp",
    "case_studies",
    "figure",
    "names_in",
    "reports",
    "returns",
    "signed",
    "targets",
    "theory",
]
