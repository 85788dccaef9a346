"""ECharts options of the competency pages: a radar per person, a heat map per team.

Levels run from 1 (highest) to 5; the radar shows *strength* ``6 - level``
(5 = level 1) so that further out is better, with the level in the tooltip.
"""

from __future__ import annotations

from typing import Any

from core.i18n import _

from .models import bilingual


def _strength(level: Any) -> Any:
    return None if level is None else 6 - int(level)


def radar_chart(profile: dict[str, Any], position_label: str, lang: str) -> dict[str, Any]:
    """Required profile of the position against the person's manager, self and peer ratings."""
    rows = profile["rows"]
    indicator = [{"name": f"{r['code']} {bilingual(r['competency'].name_zh, r['competency'].name_en, lang)}",
                  "max": 5} for r in rows]
    series = [{"name": _("Required: %(position)s", position=position_label),
               "value": [_strength(r["required"]) or 0 for r in rows], "lineStyle": {"type": "dashed"}}]
    for key, name in (("manager", _("Manager assessment")), ("self", _("Self-assessment"))):
        if any(r[key] is not None for r in rows):
            series.append({"name": name, "value": [_strength(r[key]) or 0 for r in rows]})
    if any(r["peers"] is not None for r in rows):
        series.append({"name": _("Peers (average)"),
                       "value": [float(6 - r["peers"]) if r["peers"] is not None else 0 for r in rows]})
    return {
        "legend": {"bottom": 0, "data": [s["name"] for s in series]},
        "tooltip": {},
        "radar": {"indicator": indicator, "radius": "55%", "axisName": {"fontSize": 10}},
        "series": [{"type": "radar", "data": series}],
    }


def heatmap_chart(heat: dict[str, Any], lang: str) -> dict[str, Any]:
    """People × competencies, the colour is the gap (0 = requirement met)."""
    comps = heat["competencies"]
    people = heat["employees"]
    data = [[ci, pi, heat["cells"].get((p.id, c.id), "-")] for pi, p in enumerate(people) for ci, c in enumerate(comps)]
    return {
        "tooltip": {"position": "top"},
        "grid": {"left": 70, "right": 10, "top": 10, "bottom": 60},
        "xAxis": {"type": "category", "data": [c.code for c in comps]},
        "yAxis": {"type": "category", "data": [p.display(lang) for p in people]},
        "visualMap": {"min": 0, "max": 4, "calculable": True, "orient": "horizontal", "left": "center", "bottom": 0,
                      "inRange": {"color": ["#e8f5e9", "#ffcc80", "#e53935"]}},
        "series": [{"name": _("Gap"), "type": "heatmap", "data": data, "label": {"show": True}}],
    }
