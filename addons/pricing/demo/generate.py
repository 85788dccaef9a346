"""Generate ``pricing.yaml``: demo pricing data for company ``guiyan`` (deterministic).

Run ``python3 addons/pricing/demo/generate.py``; refers to masterdata's demo
products (``ref:masterdata.product_...``) and employees.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

PRODUCTS = {
    # xmlid: (Pt, Pd, Rh grams per unit, manufacturing, carrier, list price)
    "product_twc_cc_101": ("0.8", "2.4", "0.25", "180", "260", "2600"),
    "product_twc_uf_201": ("0.4", "1.6", "0.15", "150", "220", "1700"),
    "product_twc_hy_301": ("0.6", "2.0", "0.20", "170", "240", "2200"),
    "product_doc_d_110": ("1.8", "0.6", None, "210", "320", "2100"),
    "product_doc_l_120": ("1.0", "0.4", None, "140", "200", "1300"),
    "product_scr_v_210": (None, None, None, "260", "380", "900"),
    "product_scr_cu_220": (None, None, None, "300", "420", "1050"),
    "product_pf_dpf_310": ("0.5", "0.2", None, "420", "600", "1900"),
    "product_pf_gpf_320": ("0.2", "0.6", "0.05", "380", "520", "1500"),
    "product_mc_m_410": ("0.3", "0.9", "0.08", "60", "90", "620"),
    "product_mc_c_420": ("0.2", "0.5", "0.05", "50", "70", "430"),
    "product_ind_voc_510": ("1.2", "0.5", None, "300", "500", "1800"),
    "product_ind_pt_520": ("2.0", None, None, "120", "150", "1000"),
    "product_ind_pd_530": (None, "2.0", None, "110", "140", "800"),
}
PRICES = {  # month: Pt, Pd, Rh per gram (CNY)
    "2026-10-01": ("215.00", "238.00", "1020.00"),
    "2026-11-01": ("221.50", "242.80", "1065.00"),
    "2026-12-01": ("224.00", "240.50", "1080.00"),
}
METALS = [("pt", "Pt", "铂", "Platinum"), ("pd", "Pd", "钯", "Palladium"), ("rh", "Rh", "铑", "Rhodium")]
C = "company:guiyan"


def records() -> list[dict]:
    out: list[dict] = [{"model": "pricing_settings", "id": "settings_guiyan",
                        "values": {"company_id": C, "currency": "CNY", "decimals": 2, "rounding": "ROUND_HALF_UP",
                                   "quote_validity_days": 30}}]
    for i, (key, code, zh, en) in enumerate(METALS, start=1):
        out.append({"model": "pricing_metal", "id": f"metal_{key}",
                    "values": {"company_id": C, "code": code, "name_zh": zh, "name_en": en, "sequence": i * 10}})
    for month, prices in PRICES.items():
        for (key, *_rest), price in zip(METALS, prices, strict=True):
            out.append({"model": "pricing_metal_price", "id": f"price_{key}_{month[:7].replace('-', '')}",
                        "values": {"company_id": C, "month": dt.date.fromisoformat(month), "metal_id": f"ref:metal_{key}", "price_per_gram": price}})
    for xmlid, (pt, pd, rh, man, car, lst) in PRODUCTS.items():
        short = xmlid.removeprefix("product_")
        grams = {"pt": pt, "pd": pd, "rh": rh}
        if not any(grams.values()):
            grams = {"pt": "0.05"}  # vanadium/copper SCR: a trace of Pt in the demo
        for key, g in grams.items():
            if g:
                out.append({"model": "pricing_formula", "id": f"formula_{short}_{key}",
                            "values": {"company_id": C, "product_id": f"ref:masterdata.{xmlid}",
                                       "metal_id": f"ref:metal_{key}", "grams_per_unit": g}})
        for month in PRICES:
            out.append({"model": "pricing_product_cost", "id": f"cost_{short}_{month[:7].replace('-', '')}",
                        "values": {"company_id": C, "product_id": f"ref:masterdata.{xmlid}", "month": dt.date.fromisoformat(month),
                                   "manufacturing_cost": man, "carrier_cost": car}})
        stage = "maturity" if short.startswith(("doc", "scr", "mc")) else "growth"
        out.append({"model": "pricing_product_pricing", "id": f"list_{short}_2026",
                    "values": {"company_id": C, "product_id": f"ref:masterdata.{xmlid}", "year": 2026,
                               "lifecycle_stage": stage, "list_price": lst}})
    out.append({"model": "pricing_strategy", "id": "strategy_2026",
                "values": {"company_id": C, "year": 2026, "name": "2026 年定价策略",
                           "default_quote_type": "competitive", "channel_markup_pct": "8"}})
    matrix = {("high", "high"): "competitive", ("high", "low"): "low", ("low", "high"): "high", ("low", "low"): "probing"}
    for (a, b), qt in matrix.items():
        out.append({"model": "pricing_strategy_matrix", "id": f"matrix_2026_{a}_{b}",
                    "values": {"company_id": C, "strategy_id": "ref:strategy_2026", "attractiveness": a, "ability": b,
                               "quote_type": qt}})
    rules = {"high": ("30", "22"), "competitive": ("20", "14"), "low": ("12", "8"), "probing": ("25", "15")}
    for qt, (t, f) in rules.items():
        out.append({"model": "pricing_strategy_rule", "id": f"rule_2026_{qt}",
                    "values": {"company_id": C, "strategy_id": "ref:strategy_2026", "quote_type": qt,
                               "method": "cost_margin", "target_margin_pct": t, "floor_margin_pct": f}})
    for key, cls, stage, adj in (("a", "A", None, "-2"), ("mature", None, "maturity", "-3"), ("a_mature", "A", "maturity", "-4")):
        out.append({"model": "pricing_strategy_target", "id": f"target_2026_{key}",
                    "values": {"company_id": C, "strategy_id": "ref:strategy_2026", "customer_class": cls,
                               "lifecycle_stage": stage, "adjust_pct": adj}})
    for i, (group, pct) in enumerate((("core.group_salesperson", "0"), ("core.group_territory_manager", "5"),
                                      ("core.group_director", "10"), ("core.group_committee", None)), start=1):
        out.append({"model": "pricing_authority_band", "id": f"band_{group.split('_', 1)[1]}",
                    "values": {"company_id": C, "group_code": group, "sequence": i * 10, "max_below_floor_pct": pct}})
    return out


def main() -> None:
    """Write ``pricing.yaml`` next to this script."""
    path = Path(__file__).with_name("pricing.yaml")
    header = "# Demo pricing data for 贵研催化 (guiyan): metals, monthly prices and costs, formulas,\n" \
             "# list prices, the 2026 strategy and authority bands.\n" \
             "# Generated by addons/pricing/demo/generate.py: do not edit by hand.\n"
    body = yaml.safe_dump({"records": records()}, allow_unicode=True, sort_keys=False, width=200)
    path.write_text(header + body, encoding="utf-8")


if __name__ == "__main__":
    main()
