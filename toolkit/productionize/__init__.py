"""Productionize: turn a data scientist's notebook into reviewed, tested, deployable code."""

__version__ = "0.1.0"


def _jupyter_server_extension_points():
    return [{"module": "productionize.server"}]


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-productionize"}]
