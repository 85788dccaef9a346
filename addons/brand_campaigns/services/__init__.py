"""Services of brand_campaigns; every read and write goes through ``env``.

Each public function validates its input first and raises
:class:`core.errors.ValidationError` (message in the user's language, nothing
written) or :class:`core.errors.AccessDenied`; writes run in one savepoint.

- :mod:`.setup`: the seeded channels of a company
- :mod:`.positioning`: the yearly brand value positioning and its approval
- :mod:`.toolkit`: the promotion toolkit, versions, approval and publication
- :mod:`.plans`: promotion plans, activities, market activities and research, the calendar
- :mod:`.distributors`: distributors, agreements, purchases, evaluations, the two reports' rows
- :mod:`.surveys`: questionnaires, tokenised public links, answers, the evaluation report
"""

from __future__ import annotations

from . import distributors, plans, positioning, surveys, toolkit
from .setup import channels, ensure_approval_rows, ensure_channels

__all__ = ["channels", "distributors", "ensure_approval_rows", "ensure_channels", "plans", "positioning", "surveys", "toolkit"]
