"""The README screenshot, docs/screenshot.png: the top of the demo report in headless
Chromium. The PNG carries, in a text chunk, the fingerprint of what it shows: the text from the
title to the end of Table 1, and the sources that lay it out (stylesheet, template, and the
modules of the parts and pieces on that first screen; not matplotlib's output, which
varies with its version), so the demo test can tell when the screenshot no longer shows
the current report.

Regenerate it with one command (after `make demo-seed`, or any change to those parts)::

    make screenshot       # demo into demo-out/, then this module's main()
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import sys
from importlib import resources
from pathlib import Path

FINGERPRINT_KEY = "prrt-rwe:shows"
VIEWPORT = {"width": 1100, "height": 1500}
LAST_SECTION_SHOWN = "baseline"  # the screenshot reaches into Table 1
LAYOUT_SOURCES = ("html.py", "summary.py", "flow.py", "table1.py", "table.py", "svg.py", "section.py")


def shown_text(report_html: str) -> str:
    """The text a reader sees from the title to the end of the LAST_SECTION_SHOWN section."""
    body = report_html[report_html.index("<body"):]
    end = body.index("</section>", body.index(f'<section id="{LAST_SECTION_SHOWN}"'))
    text = re.sub(r"<[^>]+>", " ", body[:end])
    return " ".join(html.unescape(text).split())


def fingerprint(report_html: str) -> str:
    report = resources.files("prrt_rwe.report")
    parts = [report.joinpath("templates", name).read_text("utf-8") for name in ("report.css", "report.html.j2")]
    parts += [report.joinpath(name).read_text("utf-8") for name in LAYOUT_SOURCES]
    return hashlib.sha256("\x00".join([*parts, shown_text(report_html)]).encode("utf-8")).hexdigest()


def recorded_fingerprint(png: Path) -> str | None:
    from PIL import Image

    with Image.open(png) as image:
        return image.text.get(FINGERPRINT_KEY)


def take(report: Path, png: Path) -> Path:
    """Screenshot the top of ``report`` into ``png`` (Chromium via playwright), fingerprinted."""
    from PIL import Image, PngImagePlugin
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium not found (scripts/install-system-deps.sh installs it)")
    report, png = Path(report).resolve(), Path(png)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(report.as_uri(), wait_until="load")
        page.screenshot(path=str(png), full_page=False)
        browser.close()
    info = PngImagePlugin.PngInfo()
    info.add_text(FINGERPRINT_KEY, fingerprint(report.read_text(encoding="utf-8")))
    with Image.open(png) as image:
        image.load()
        image.save(png, pnginfo=info, optimize=True)
    return png


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m prrt_rwe.report.screenshot OUT/report.html docs/screenshot.png",
              file=sys.stderr)
        return 2
    print(f"screenshot: {take(Path(args[0]), Path(args[1]))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
