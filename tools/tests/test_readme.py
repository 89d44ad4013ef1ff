# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""README.md is made from the readme/ fragments (scripts/make_readme.py): never edited
apart."""

import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_readme_is_made_from_the_fragments():
    spec = importlib.util.spec_from_file_location(
        "make_readme", os.path.join(ROOT, "scripts", "make_readme.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        assert handle.read() == module.build(ROOT), "run python3 scripts/make_readme.py"


def test_readme_keeps_the_two_commands_and_the_invariants():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        text = handle.read()
    for needle in (
        "./scripts/run.sh",
        "./scripts/test.sh",
        "How sending works",
        "```text\nSocial worker",
        "**I1**",
        "**I5**",
    ):
        assert needle in text


def test_fragments_suit_ocas_readme_generator():
    """OCA's generator (oca-gen-addon-readme) takes "##" headings at most in a fragment
    and no mermaid block."""
    folder = os.path.join(ROOT, "readme")
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            text = handle.read()
        assert "```mermaid" not in text, name
        fence = False
        for line in text.splitlines():
            fence = fence != line.startswith("```")
            assert fence or not line.startswith("###"), f"{name}: {line}"
