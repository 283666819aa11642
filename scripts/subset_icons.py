"""Cut Bootstrap Icons down to the icons the project uses.

    .venv/bin/python scripts/subset_icons.py     (also: make icons)

The full font is 131 KB that gzip cannot shrink, on every first page load of a phone on a weak
signal; the ~45 icons the templates use take ~5 KB. The full files stay in assets/ (not served);
this writes static/vendor/bootstrap-icons/bootstrap-icons.min.css and fonts/icons.woff2.
tests/test_icons.py fails when a template uses an icon the subset lacks: run this again.
"""

import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "assets" / "bootstrap-icons"
TARGET = ROOT / "static" / "vendor" / "bootstrap-icons"
SCANNED = (
    "templates",
    "static/js",
    "accounts",
    "dashboard",
    "grids",
    "hazards",
    "inspections",
    "enforcement",
    "accidents",
    "notifications",
    "premises",
)
USE = re.compile(r"\bbi-([a-z0-9-]+)|\bicon=[\"']([a-z0-9-]+)[\"']")
RULE = re.compile(r'\.bi-([a-z0-9-]+)::before\{content:"\\([0-9a-f]+)"\}')


def used_icons() -> set[str]:
    names = set()
    for folder in SCANNED:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".html", ".js", ".py"} and "vendor" not in path.parts:
                names.update(a or b for a, b in USE.findall(path.read_text(encoding="utf-8")))
    return names


def main() -> int:
    css = (SOURCE / "bootstrap-icons.min.css").read_text(encoding="utf-8")
    codepoints = {name: int(code, 16) for name, code in RULE.findall(css)}
    wanted = sorted(name for name in used_icons() if name in codepoints)
    unknown = sorted(used_icons() - set(codepoints))
    font = TTFont(SOURCE / "bootstrap-icons.woff2")
    options = subset.Options()
    options.flavor = "woff2"
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[codepoints[name] for name in wanted])
    subsetter.subset(font)
    (TARGET / "fonts").mkdir(parents=True, exist_ok=True)
    font.save(TARGET / "fonts" / "icons.woff2")
    base = css[css.index(".bi::before") : css.index("}", css.index(".bi::before")) + 1]
    rules = "".join(f'.bi-{name}::before{{content:"\\{codepoints[name]:x}"}}' for name in wanted)
    header = css[: css.index("*/") + 2]
    face = (
        "@font-face{font-display:block;font-family:bootstrap-icons;"
        'src:url("fonts/icons.woff2") format("woff2")}'
    )
    note = f"/* Subset by scripts/subset_icons.py: {len(wanted)} icons. */"
    (TARGET / "bootstrap-icons.min.css").write_text(
        f"{header}\n{note}\n{face}{base}{rules}\n", encoding="utf-8"
    )
    print(f"{len(wanted)} icons, font {(TARGET / 'fonts' / 'icons.woff2').stat().st_size} bytes")
    if unknown:
        print("not Bootstrap Icons (ignored):", ", ".join(unknown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
