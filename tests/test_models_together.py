"""Every addon's models load together: names that two addons share do not break the mappers.

Two addons may both call a class ``Plan`` (sales_planning and field_activity
do): a relationship that names its target by the bare class name is then
ambiguous, and every mapper of the process fails to configure. Relationships
pass the class itself (or a lambda); this test imports every addon's models
at once and configures them.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from sqlalchemy.orm import configure_mappers

ROOT = Path(__file__).resolve().parent.parent


def test_all_addon_models_configure_in_one_process() -> None:
    loaded = []
    for models in sorted((ROOT / "addons").glob("*/models.py")):
        importlib.import_module(f"addons.{models.parent.name}.models")
        loaded.append(models.parent.name)
    assert {"sales_planning", "field_activity"} <= set(loaded)
    configure_mappers()
