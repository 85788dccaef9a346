"""Services of the competency addon; every read and write goes through ``env``.

Each public function validates its input first and raises
:class:`core.errors.ValidationError` (message in the user's language, nothing
written) or :class:`core.errors.AccessDenied`; writes run in one savepoint, so
an operation is all or nothing.

- :mod:`.model`: the per-company competency model and position matrix
- :mod:`.assessments`: self, manager and peer assessments, calibration
- :mod:`.gaps`: gaps against a position profile, readiness, team heat map
"""

from __future__ import annotations

from .assessments import (
    assessable_employees,
    calibrate,
    check_period,
    pending_for_user,
    rater_reach,
    submit_assessment,
)
from .gaps import gap_rows, latest_period, person_profile, team_heatmap
from .model import (
    competencies,
    ensure_company_defaults,
    load_default_model,
    position_matrix,
    requirement_levels,
    set_requirement,
)

__all__ = [
    "assessable_employees",
    "calibrate",
    "check_period",
    "competencies",
    "ensure_company_defaults",
    "gap_rows",
    "latest_period",
    "load_default_model",
    "pending_for_user",
    "person_profile",
    "position_matrix",
    "rater_reach",
    "requirement_levels",
    "set_requirement",
    "submit_assessment",
    "team_heatmap",
]
