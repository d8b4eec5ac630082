#!/usr/bin/python3
"""`jupyter labextension list` for the test host.

The command ships with the Python `jupyterlab` package, which is not installable here (see README).
This is its `list` subcommand over the same data the host's server uses: jupyterlab_server's
get_federated_extensions on serve.py's labextensions path (the user's data dir, then this Python
environment's share/jupyter/labextensions) and get_page_config for what is disabled. It prints
JupyterLab's format:

    JupyterLab v4.6.4
    <labextensions folder>
            <name> v<version> enabled OK (python, <python package>)

"OK" means the extension's build is complete: package.json names the entry point it loads
(jupyterlab._build.load) and that file exists. install-extension.mjs puts this script on the host
venv's PATH as `jupyter-labextension`, so `build/venv/bin/jupyter labextension list` runs it.
"""

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside serve.py in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from jupyterlab_server.config import get_federated_extensions, get_page_config  # noqa: E402

from serve import TestHost, labextensions_path  # noqa: E402


def list_extensions(out=sys.stdout):
    paths = labextensions_path()
    extensions = get_federated_extensions(paths)
    disabled = get_page_config(paths, app_settings_dir=TestHost.app_settings_dir).get("disabledExtensions", {})
    print(f"JupyterLab v{TestHost.app_version}", file=out)
    errors = 0
    for folder in paths:
        found = sorted((e for e in extensions.values() if e["ext_dir"] == folder), key=lambda e: e["name"])
        if not found:
            continue
        print(folder, file=out)
        for ext in found:
            # jupyterlab_server gives a mapping name -> bool, or a list of names (older configs).
            off = disabled.get(ext["name"]) is True if isinstance(disabled, dict) else ext["name"] in disabled
            state = "disabled" if off else "enabled"
            load = ext["jupyterlab"].get("_build", {}).get("load")
            ok = bool(load) and os.path.isfile(os.path.join(ext["ext_path"], load))
            errors += 0 if ok else 1
            install = ext.get("install")
            source = f" ({install['packageManager']}, {install['packageName']})" if install else ""
            print(f"        {ext['name']} v{ext['version']} {state} {'OK' if ok else 'X'}{source}", file=out)
    return errors


def main(argv):
    if argv[:1] != ["list"]:
        sys.exit("usage: jupyter labextension list (the test host has only `list`)")
    sys.exit(1 if list_extensions() else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
