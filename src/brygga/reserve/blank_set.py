"""The blank forms published as static files, so they can be fetched during an outage.

They are generated from the same form descriptions as the filled-in forms and kept in the
repository under static/brygga/blanketter/ (served by WhiteNoise without the database).
Regenerate them with ``manage.py build_blank_forms`` after changing a form; a test fails
when the published set no longer matches the descriptions.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from brygga.core.pdf import render_pdf

from .paper import FORMS, blank_form

BLANK_SET_DIR = Path(settings.BASE_DIR) / "static" / "brygga" / "blanketter"


def blank_pdf(slug: str) -> bytes:
    return render_pdf("reserve/paper_form.html", {"form": blank_form(slug)})


def index_html() -> str:
    """A static page listing the blank forms (it must work without Brygga's database)."""
    return render_to_string("reserve/blank_set_index.html", {"forms": FORMS.values()})


def write_blank_set(directory: Path = BLANK_SET_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for slug in FORMS:
        path = directory / f"{slug}.pdf"
        path.write_bytes(blank_pdf(slug))
        written.append(path)
    index = directory / "index.html"
    index.write_text(index_html(), encoding="utf-8")
    written.append(index)
    return written
