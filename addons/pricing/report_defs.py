"""The pricing reports in the report centre (``tixi_reports``): margin, outside band, win/loss, realisation.

Each report is the query of :mod:`addons.pricing.reports` (built on
``env.select``: the quote and line rules apply) with its parameters (period,
territory when territories is enabled, salesperson, product variety), its
columns and formats, totals, a chart and drill-down links. The margin report
is for cost roles only (Director, territory managers, Finance): the kernel
refuses it to others on the page, the .xlsx, the print view and the PDF.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from addons.pricing import reports as q
from addons.pricing.models import QuoteLine
from core.i18n import N_, _l, label
from core.reports import Column, Link, MultiChoiceField, PeriodParams, RecordField, Report, ratio
from core.reports.params import choice_pairs, select_choices

if TYPE_CHECKING:
    from core.security.env import Env

DEFAULT_BY = ["customer_class", "territory", "product"]


class PricingParams(PeriodParams):
    """Period, territory (when territories is enabled) and salesperson."""

    territory = RecordField(_l("Territory"), model="territories_territory", requires="territories")
    salesperson = RecordField(_l("Salesperson"), model="masterdata_employee")


class ProductParams(PricingParams):
    """... and a product variety."""

    product = RecordField(_l("Product variety"), model="masterdata_product")


class MarginParams(ProductParams):
    """... and the dimensions to group by (customer class, territory, product variety, month)."""

    by = MultiChoiceField(_l("Group by"), choices=[(k, _l(v)) for k, v in q.DIMENSIONS.items()], default=DEFAULT_BY)

    def setup(self, env: Env) -> None:
        """No territory dimension where territories is not enabled."""
        super().setup(env)
        if "territories" not in env.enabled:
            self.by.choices = select_choices((k, v) for k, v in choice_pairs(self.by.choices) if k != "territory")

    def check(self, env: Env) -> None:
        """No dimension chosen means the default grouping."""
        super().check(env)
        if not self.by.data:
            self.by.data = [d for d in DEFAULT_BY if d in {k for k, _v in choice_pairs(self.by.choices)}]


def _filters(p: Mapping[str, Any], product: bool = True) -> dict[str, Any]:
    out = {"territory": p.get("territory"), "salesperson": p.get("salesperson")}
    if product:
        out["product"] = p.get("product")
    return out


def _period_args(p: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters that keep the same period in a drill-down link."""
    if p.get("period") and p["period"] != "custom":
        return {"period": p["period"]}
    return {"period": "custom", "date_from": p["date_from"].isoformat(), "date_to": p["date_to"].isoformat()}


# ----- margin -------------------------------------------------------------------------------------
def margin_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """:func:`addons.pricing.reports.margin_rows` with the report's parameters."""
    return q.margin_rows(env, by=p["by"], date_from=p["date_from"], date_to=p["date_to"], **_filters(p))


def _territory_link(row: Mapping[str, Any], p: Mapping[str, Any]) -> Link | None:
    if row.get("territory_id") is None:
        return None
    return Link.report("pricing.margin", by=["product"], territory=row["territory_id"], **_period_args(p))


def _product_link(row: Mapping[str, Any], p: Mapping[str, Any]) -> Link | None:
    return Link.record("masterdata_product", row["product_id"]) if row.get("product_id") else None


def margin_columns(env: Env, p: Mapping[str, Any]) -> list[Column]:
    """The chosen dimensions, then revenue, cost, margin, margin % and lines."""
    dims = {
        "customer_class": Column("customer_class", _l("Customer class")),
        "territory": Column("territory", _l("Territory"), link=_territory_link),
        "product": Column("product", _l("Product variety"), link=_product_link),
        "month": Column("month", _l("Month")),
    }
    return [dims[d] for d in p["by"]] + [
        Column("revenue", _l("Revenue"), "money", total="sum"),
        Column("cost", _l("Cost"), "money", total="sum"),
        Column("margin", _l("Margin"), "money", total="sum"),
        Column("margin_pct", _l("Margin %"), "percent", total=ratio("margin", "revenue")),
        Column("lines", _l("Lines"), "integer", total="sum"),
    ]


def _bar_chart(rows: Sequence[Mapping[str, Any]], key: str, series: Sequence[tuple[str, Any]]) -> dict[str, Any] | None:
    """An ECharts bar chart of ``series`` (column key, label) summed by the values of ``key``."""
    if not rows:
        return None
    sums: dict[str, list[Any]] = {}
    for row in rows:
        bucket = sums.setdefault(str(row.get(key) or "-"), [0] * len(series))
        for i, (col, _label) in enumerate(series):
            bucket[i] += row.get(col) or 0
    names = list(sums)
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [label(s[1]) for s in series]},
        "grid": {"left": 60, "right": 10, "top": 30, "bottom": 40, "containLabel": True},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0, "rotate": 30 if len(names) > 6 else 0}},
        "yAxis": {"type": "value"},
        "series": [{"name": label(s[1]), "type": "bar", "data": [str(sums[n][i]) for n in names]}
                   for i, s in enumerate(series)],
    }


def margin_chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], p: Mapping[str, Any]) -> dict | None:
    """Revenue and margin by the first dimension."""
    return _bar_chart(rows, p["by"][0], [("revenue", _l("Revenue")), ("margin", _l("Margin"))])


# ----- outside band ---------------------------------------------------------------------------------
def outside_band_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """:func:`addons.pricing.reports.outside_band_rows` with the report's parameters."""
    return q.outside_band_rows(env, p["date_from"], p["date_to"], **_filters(p, product=False))


OUTSIDE_BAND_COLUMNS = [
    Column("quote", _l("Quote"), link=lambda row, p: Link.record("pricing_quote", row["quote_id"])),
    Column("customer", _l("Customer"), link=lambda row, p: Link.record("masterdata_customer", row["customer_id"])),
    Column("below_floor_pct", _l("% below floor"), "percent"),
    Column("state", _l("State")),
    Column("amount", _l("Amount"), "money", total="sum"),
    Column("approver", _l("Approved by")),
    Column("comment", _l("Comment")),
    Column("approved_at", _l("Approved at"), "date"),
]


# ----- win / loss -----------------------------------------------------------------------------------
def win_loss_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """:func:`addons.pricing.reports.win_loss_rows` with the report's parameters."""
    return q.win_loss_rows(env, p["date_from"], p["date_to"], **_filters(p))


def _win_rate(rows: Sequence[Mapping[str, Any]], totals: Mapping[str, Any]) -> Any:
    from decimal import Decimal

    decided = (totals.get("won") or 0) + (totals.get("lost") or 0)
    return (Decimal(totals.get("won") or 0) / Decimal(decided) * 100).quantize(Decimal("0.1")) if decided else Decimal("0.0")


WIN_LOSS_COLUMNS = [
    Column("strategy", _l("Quote strategy")),
    Column("won", _l("Won"), "integer", total="sum"),
    Column("lost", _l("Lost"), "integer", total="sum"),
    Column("open", _l("Open"), "integer", total="sum"),
    Column("win_rate", _l("Win rate %"), "percent", places=1, total=_win_rate),
    Column("won_amount", _l("Won amount"), "money", total="sum"),
]


def win_loss_chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], p: Mapping[str, Any]) -> dict | None:
    """Won and lost lines by strategy."""
    return _bar_chart(rows, "strategy", [("won", _l("Won")), ("lost", _l("Lost"))])


# ----- realisation ----------------------------------------------------------------------------------
def realisation_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """:func:`addons.pricing.reports.realisation_rows` by strategy with the report's parameters."""
    return q.realisation_rows(env, "strategy", p["date_from"], p["date_to"], **_filters(p))


REALISATION_COLUMNS = [
    Column("key", _l("Quote strategy")),
    Column("quoted", _l("Quoted"), "money", total="sum"),
    Column("at_target", _l("At target"), "money", total="sum"),
    Column("at_floor", _l("At floor"), "money", total="sum"),
    Column("realisation", _l("Realisation %"), "percent", total=ratio("quoted", "at_target")),
]

MARGIN_DENIED = N_("Margins are visible only to the Director, territory managers and Finance.")

REPORTS = [
    Report(
        "pricing.margin", _l("Margin by customer class, territory and product variety"),
        description=_l("Revenue, cost and margin of approved, sent and won quotes."),
        query=margin_query, columns=margin_columns, params=MarginParams, totals=True, chart=margin_chart,
        model="pricing_quote_line", restricted_field=(QuoteLine, "margin_amount"), denied=MARGIN_DENIED, sequence=10,
    ),
    Report(
        "pricing.outside_band", _l("Quotes outside the band and who approved them"),
        description=_l("Quotes priced below the floor, the approver and the comment."),
        query=outside_band_query, columns=OUTSIDE_BAND_COLUMNS, params=PricingParams, totals=True,
        model="pricing_quote", sequence=20,
    ),
    Report(
        "pricing.win_loss", _l("Win/loss by strategy"),
        description=_l("Quote lines won, lost and open by quote strategy."),
        query=win_loss_query, columns=WIN_LOSS_COLUMNS, params=ProductParams, totals=True, chart=win_loss_chart,
        model="pricing_quote_line", sequence=30,
    ),
    Report(
        "pricing.realisation", _l("Price realisation vs target"),
        description=_l("Quoted amounts against the same quantities at target and floor prices."),
        query=realisation_query, columns=REALISATION_COLUMNS, params=ProductParams, totals=True,
        model="pricing_quote_line", sequence=40,
    ),
]

#: old page names (``/pricing/reports/<name>.xlsx``) -> report codes
OLD_NAMES = {"margin": "pricing.margin", "outside_band": "pricing.outside_band", "win_loss": "pricing.win_loss",
             "realisation": "pricing.realisation"}


def old_url_args(args: Mapping[str, str]) -> dict[str, str]:
    """The old pages' ``from``/``to`` as the report centre's parameters (a custom period), else none."""
    if args.get("from") or args.get("to"):
        return {"period": "custom", "date_from": args.get("from", ""), "date_to": args.get("to", "")}
    return {}

