"""WSGI entry point for production: ``gunicorn -w 2 'core.web.wsgi:app'``.

The instance comes from ``TIXI_INSTANCE`` (default ``./instance``).
"""

from core.config import Instance
from core.web.app import create_app

app = create_app(instance=Instance.resolve(None))
