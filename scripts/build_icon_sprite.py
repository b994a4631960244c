"""Rebuild static/vendor/lucide/sprite.svg with the icons named in core/icons.py.

    python scripts/build_icon_sprite.py [path/to/node_modules/lucide-static]

Without a path, installs `lucide-static` with npm in a temporary folder first.
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.icons import ICONS, SPRITE  # noqa: E402

BODY = re.compile(r"<svg[^>]*>(?P<body>.*?)</svg>", re.S)


def build(package: Path) -> None:
    version = re.search(r'"version":\s*"([^"]+)"', (package / "package.json").read_text())[1]
    icons = package / "icons"
    missing = [name for name in ICONS if not (icons / f"{name}.svg").exists()]
    if missing:
        sys.exit(f"not in lucide-static {version}: {', '.join(missing)}")
    parts = [
        f"<!-- Lucide icons (lucide-static {version}, ISC licence), the subset named in "
        "core/icons.py; rebuilt by scripts/build_icon_sprite.py -->",
        '<svg xmlns="http://www.w3.org/2000/svg">',
    ]
    for name in ICONS:
        svg = BODY.search((icons / f"{name}.svg").read_text())["body"]
        body = re.sub(r"\s+", " ", svg).strip()
        parts.append(
            f'<symbol id="{name}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
            f'stroke-width="2" stroke-linecap="round" stroke-linejoin="round">{body}</symbol>'
        )
    parts.append("</svg>\n")
    target = ROOT / "static" / SPRITE
    target.write_text("\n".join(parts))
    print(f"{len(ICONS)} icons written to {target.relative_to(ROOT)} (lucide-static {version})")


def main() -> None:
    if len(sys.argv) > 1:
        build(Path(sys.argv[1]))
        return
    with tempfile.TemporaryDirectory() as folder:
        npm = shutil.which("npm") or sys.exit("npm is needed to fetch lucide-static")
        subprocess.run(  # noqa: S603 (a fixed command: npm installs one named package)
            [npm, "install", "--silent", "lucide-static"], cwd=folder, check=True
        )
        build(Path(folder) / "node_modules" / "lucide-static")


if __name__ == "__main__":
    main()
