"""AI Platform extension for JupyterLab 4.

The prebuilt extension is installed as data files into share/jupyter/labextensions/@aiplat/jupyterlab-ext;
this module holds the translations (locale/<locale>/LC_MESSAGES/aiplat_jupyterlab_ext.json), found by
jupyterlab_server through the `jupyterlab.locale` entry point.
"""

__version__ = "0.1.0"


def _jupyter_labextension_paths():
    # Where `jupyter labextension develop` would link the extension from (a source checkout).
    return [{"src": "labextension", "dest": "@aiplat/jupyterlab-ext"}]
