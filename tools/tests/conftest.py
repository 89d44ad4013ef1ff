# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Load ``tools`` as the stand-alone package ``psms_tools``: the addon's root ``__init__`` imports
Odoo, so the tools are loaded without it and tested with plain pytest on any machine."""
import importlib.util
import pathlib
import sys

TOOLS_DIR = pathlib.Path(__file__).resolve().parent.parent

if "psms_tools" not in sys.modules:
    spec = importlib.util.spec_from_file_location(
        "psms_tools", TOOLS_DIR / "__init__.py", submodule_search_locations=[str(TOOLS_DIR)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["psms_tools"] = module
    spec.loader.exec_module(module)
