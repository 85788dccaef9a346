"""The global search page (``/search?q=...``, blueprint ``tixi_search``).

Results come from :func:`core.search.search`, grouped by kind, each read
through the user's rights; ``/search?q=...&kind=<source>`` lists more of one
kind. The navigation bar's search box submits here.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, render_template, request

from core import search as svc

bp = Blueprint("tixi_search", __name__, url_prefix="/search")


@bp.route("/")
def index() -> Any:
    """Search every source the user may read; one source with ``kind``."""
    query = svc.normalize(request.args.get("q"))
    kind = request.args.get("kind") or None
    known = {s.name for s in svc.available_sources(g.env)}
    if kind not in known:
        kind = None
    groups = svc.search(g.env, query, only=kind) if query else []
    return render_template("search/index.html", query=request.args.get("q", "").strip(), groups=groups, kind=kind)
