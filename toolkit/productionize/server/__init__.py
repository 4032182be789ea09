"""The jupyter_server extension: REST handlers under ``/productionize/`` for the JupyterLab UI."""

from __future__ import annotations


def _jupyter_server_extension_points():
    return [{"module": "productionize.server"}]


def _load_jupyter_server_extension(serverapp) -> None:
    """Register the handlers and the job runner on a running Jupyter server."""
    from .handlers import setup_handlers

    setup_handlers(serverapp.web_app, serverapp.log)
    serverapp.log.info("productionize: server extension loaded (/productionize/*)")
