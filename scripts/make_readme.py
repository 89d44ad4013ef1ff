#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Make README.md from the fragments in readme/ (as OCA addons keep their README).

python3 scripts/make_readme.py          # write README.md
python3 scripts/make_readme.py --check  # exit 1 if README.md differs from them
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TITLE = "# participant_sms\n"
#: fragment -> section title, in the order of OCA's readme generator
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("INSTALL.md", "Installation"),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("DEVELOP.md", "Development"),
    ("ROADMAP.md", "Known issues / Roadmap"),
    ("HISTORY.md", "Changelog"),
    ("CONTRIBUTORS.md", "Contributors"),
]
NOTICE = (
    "<!-- Made by scripts/make_readme.py from the readme/ fragments: edit those, "
    "then run the script. -->\n"
)


def build(root=ROOT):
    parts = [TITLE, NOTICE]
    for name, title in SECTIONS:
        with open(os.path.join(root, "readme", name), encoding="utf-8") as handle:
            text = handle.read().strip()
        # a fragment's headings are "##" (what OCA's generator accepts): one level below
        # their section here
        text = "\n".join(
            "#" + line if line.startswith("## ") else line for line in text.splitlines()
        )
        parts.append(f"\n## {title}\n\n{text}\n" if title else f"\n{text}\n")
    return "".join(parts)


def main(argv):
    path = os.path.join(ROOT, "README.md")
    text = build()
    if "--check" in argv:
        with open(path, encoding="utf-8") as handle:
            same = handle.read() == text
        print(
            "README.md is up to date"
            if same
            else "README.md differs from readme/: run python3 scripts/make_readme.py"
        )
        return 0 if same else 1
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
