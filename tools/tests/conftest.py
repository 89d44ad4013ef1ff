# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Load ``tools`` as the stand-alone package ``psms_tools``, and the test helpers of
``tests/fakes`` as ``psms_fakes``: the addon's root ``__init__`` (and
``tests/__init__``) import Odoo, so these are loaded without it and tested with plain
pytest on any machine."""

import importlib.util
import pathlib
import sys

TOOLS_DIR = pathlib.Path(__file__).resolve().parent.parent


def _load(name, folder):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, folder / "__init__.py", submodule_search_locations=[str(folder)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)


_load("psms_tools", TOOLS_DIR)
_load("psms_fakes", TOOLS_DIR.parent / "tests" / "fakes")
