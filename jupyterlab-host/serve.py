#!/usr/bin/python3
"""Serves the JupyterLab test host (build/) with Debian's jupyterlab_server and jupyter_server.

Run with Debian's Python (/usr/bin/python3), which has python3-jupyterlab-server:

    jupyterlab-host/build/venv/bin/python jupyterlab-host/serve.py \
        --ServerApp.port=8888 --ServerApp.token=secret --ServerApp.root_dir=/tmp/notebooks

Extensions load as in a pip-installed JupyterLab: from the labextensions folders of the user's
data dir ($JUPYTER_DATA_DIR/labextensions) and of the Python environment running this script
(sys.prefix/share/jupyter/labextensions, where `pip install` of an extension's wheel puts its data
files; install-extension.mjs does that for the e2e host's venv, build/venv). The system-wide folders
(/usr/share/jupyter, /usr/local/share/jupyter) are left out so Debian's packages do not change the host.

--extension DIR (for development) links a built prebuilt extension (a folder with package.json and
static/, as @jupyter/builder's build-labextension writes it) into
$JUPYTER_DATA_DIR/labextensions/<package name>, the layout `jupyter labextension develop` makes; it
comes first, so it wins over an installed copy. Any other argument goes to the server.

Translations: jupyterlab_server serves /lab/api/translations/<locale> from installed Python
language packs (entry points `jupyterlab.languagepack`) merged with the catalogs of installed
packages (entry points `jupyterlab.locale`, e.g. the extension's wheel: aiplat_jupyterlab_ext).
No language pack is installable here, so for every locale an installed package (or an --extension's
locale/<locale>/LC_MESSAGES/<domain>.json) ships, this script writes, under
$JUPYTER_DATA_DIR/aiplat-locales, a minimal language pack `jupyterlab_language_pack_<locale>`
(JupyterLab's own strings stay English) with a .dist-info declaring its entry point (and, for an
--extension, a package `<domain>` whose locale/ is the extension's), and puts that folder first on
sys.path. JupyterLab then lists the locale under Settings > Language and serves the catalogs.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")


from jupyter_core.paths import jupyter_config_dir, jupyter_data_dir  # noqa: E402
from jupyterlab_server import LabServerApp  # noqa: E402


class TestHost(LabServerApp):
    # jupyter_server finds an extension app by its module, here this script.
    name = __name__
    extension_url = "/lab"
    default_url = "/lab"
    load_other_extensions = False
    app_name = "JupyterLab"
    app_version = "4.6.4"
    app_settings_dir = os.path.join(BUILD, "settings")
    schemas_dir = os.path.join(BUILD, "schemas")
    static_dir = os.path.join(BUILD, "static")
    templates_dir = os.path.join(HERE, "templates")
    themes_dir = os.path.join(BUILD, "themes")
    user_settings_dir = os.path.join(jupyter_config_dir(), "lab", "user-settings")
    workspaces_dir = os.path.join(jupyter_config_dir(), "lab", "workspaces")


def _jupyter_server_extension_points():
    # jupyter_server 1.x loads the extension app through its module's extension points.
    return [{"module": __name__, "app": TestHost}]


def labextensions_path():
    """The user's labextensions folder, then this Python environment's (see above)."""
    return [
        os.path.join(jupyter_data_dir(), "labextensions"),
        os.path.join(sys.prefix, "share", "jupyter", "labextensions"),
    ]


def link_extensions(extension_dirs, labextensions_dir):
    os.makedirs(labextensions_dir, exist_ok=True)
    linked = []
    for source in extension_dirs:
        source = os.path.abspath(source)
        with open(os.path.join(source, "package.json"), encoding="utf-8") as fh:
            name = json.load(fh)["name"]
        target = os.path.join(labextensions_dir, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.islink(target) or os.path.exists(target):
            os.remove(target)
        os.symlink(source, target)
        linked.append(source)
    return linked


def write_dist_info(site_dir, module, group, entry_name):
    info = os.path.join(site_dir, f"{module}-0.0.0.dist-info")
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(info, "METADATA"), "w", encoding="utf-8") as fh:
        fh.write(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.0.0\n")
    with open(os.path.join(info, "entry_points.txt"), "w", encoding="utf-8") as fh:
        fh.write(f"[{group}]\n{entry_name} = {module}\n")


def installed_package_locales():
    """The locales that installed packages' `jupyterlab.locale` entry points ship catalogs for."""
    from jupyterlab_server.translation_utils import _get_installed_package_locales

    locales = set()
    packages, _ = _get_installed_package_locales()
    for root in packages.values():
        locale_root = os.path.join(root, "locale")
        if os.path.isdir(locale_root):
            locales.update(
                name for name in os.listdir(locale_root) if os.path.isdir(os.path.join(locale_root, name))
            )
    return locales


def install_locales(extension_dirs, site_dir):
    """Language packs and package catalogs for every locale the extensions ship (see above)."""
    locales = installed_package_locales()
    for source in extension_dirs:
        locale_root = os.path.join(os.path.dirname(os.path.abspath(source)), "locale")
        if not os.path.isdir(locale_root):
            continue
        for locale in os.listdir(locale_root):
            messages = os.path.join(locale_root, locale, "LC_MESSAGES")
            if not os.path.isdir(messages):
                continue
            locales.add(locale)
            for catalog in os.listdir(messages):
                if not catalog.endswith(".json"):
                    continue
                domain = catalog[: -len(".json")]
                package = os.path.join(site_dir, domain)
                os.makedirs(package, exist_ok=True)
                open(os.path.join(package, "__init__.py"), "w").close()
                link = os.path.join(package, "locale")
                if os.path.islink(link):
                    os.remove(link)
                os.symlink(locale_root, link)
                write_dist_info(site_dir, domain, "jupyterlab.locale", domain)
    for locale in sorted(locales):
        module = f"jupyterlab_language_pack_{locale}"
        messages = os.path.join(site_dir, module, "locale", locale, "LC_MESSAGES")
        os.makedirs(messages, exist_ok=True)
        open(os.path.join(site_dir, module, "__init__.py"), "w").close()
        header = {
            "": {
                "domain": "jupyterlab",
                "language": locale.replace("_", "-"),
                "plural_forms": "nplurals=1; plural=0;",
                "version": "4.6.4",
            }
        }
        with open(os.path.join(messages, "jupyterlab.json"), "w", encoding="utf-8") as fh:
            json.dump(header, fh)
        write_dist_info(site_dir, module, "jupyterlab.languagepack", locale)
    sys.path.insert(0, site_dir)
    return sorted(locales)


def main(argv):
    extension_dirs = []
    server_args = []
    args = iter(argv)
    for arg in args:
        if arg == "--extension":
            extension_dirs.append(next(args))
        elif arg.startswith("--extension="):
            extension_dirs.append(arg.split("=", 1)[1])
        else:
            server_args.append(arg)

    if not os.path.isfile(os.path.join(BUILD, "static", "bundle.js")):
        sys.exit(f"{BUILD} has no bundle: run `npm run build -w jupyterlab-host` first")

    base = jupyter_data_dir()
    labextensions_dir = os.path.join(base, "labextensions")
    link_extensions(extension_dirs, labextensions_dir)
    install_locales(extension_dirs, os.path.join(base, "aiplat-locales"))

    TestHost.labextensions_path = labextensions_path()
    TestHost.launch_instance(argv=server_args)


if __name__ == "__main__":
    main(sys.argv[1:])
