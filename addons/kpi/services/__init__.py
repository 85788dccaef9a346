"""Services of the kpi addon: definitions and scoring, scorecards, incentives, satisfaction."""

from __future__ import annotations

from .definitions import definitions, ensure_company_defaults, score, set_definitions
from .incentives import calculate, check_tiers, pay, save_scheme, scheme_for
from .scorecards import compute, compute_job, fire, qualitative_average, rate, transitions
from .surveys import answer as answer_survey

__all__ = ["answer_survey", "calculate", "check_tiers", "compute", "compute_job", "definitions", "ensure_company_defaults", "fire",
           "pay", "qualitative_average", "rate", "save_scheme", "scheme_for", "score", "set_definitions",
           "transitions"]
