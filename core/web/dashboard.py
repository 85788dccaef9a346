"""Home dashboard widgets contributed through ``tixi_dashboard_widgets(env)``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.plugins import flatten

if TYPE_CHECKING:
    from core.security.env import Env


@dataclass
class Widget:
    """A dashboard card: an ECharts ``chart`` option dict or ready ``html`` (Markup).

    ``width`` is a Bootstrap column count on wide screens (1-12; phones always
    use the full width). The chart option must be JSON-serialisable (use
    ``str`` for Decimals); it is passed in a ``data-`` attribute, never as an
    inline script.
    """

    key: str
    title: Any
    chart: dict[str, Any] | None = None
    html: Any = None
    sequence: int = 100
    width: int = 6
    height: int = 300

    @property
    def chart_json(self) -> str:
        """The chart option as JSON for the ``data-chart`` attribute."""
        return json.dumps(self.chart or {}, ensure_ascii=False, default=str)


def widgets_for(env: Env) -> list[Widget]:
    """Widgets of the addons enabled for the current company, sorted."""
    return sorted(flatten(env.hooks.tixi_dashboard_widgets(env=env)), key=lambda w: (w.sequence, w.key))
