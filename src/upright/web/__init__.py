"""web layer: ``upright serve``, the same product in a browser.

Routes and templates only: every action calls the service the CLI calls. Build the app
with :func:`create_app` from :class:`WebSettings`.
"""

from upright.web.app import create_app
from upright.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
