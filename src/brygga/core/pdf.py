"""Accessible PDF documents from Django templates (tagged PDF/UA-1, made by WeasyPrint).

`render_pdf("app/doc.html", context)` renders the template and turns the HTML into a PDF
whose structure follows the HTML: headings, tables with header cells, lists and paragraphs
become tags, the document language comes from ``<html lang>``, the title from ``<title>``
(shown as the window title), so screen readers can read it. Write the template as plain
semantic HTML with its own ``<style>``: no scripts, no external resources.

The renderer fetches nothing from outside: only ``data:`` URLs are allowed, so a value in
the document can never make the server reach another host. Fonts come from the system's
fontconfig (Debian: fonts-dejavu-core); WeasyPrint needs Pango (libpango-1.0-0,
libpangoft2-1.0-0) and, for font subsetting, libharfbuzz-subset0.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

PDF_VARIANT = "pdf/ua-1"
# WeasyPrint reports each rendering step at INFO; that is noise in the server log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def html_to_pdf(html: str) -> bytes:
    """A tagged PDF/UA-1 document from a complete HTML document."""
    # Imported here: loading Pango takes a moment, and only PDF exports need it.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    return pdf


def render_pdf(
    template_name: str, context: Mapping[str, Any], *, request: HttpRequest | None = None
) -> bytes:
    return html_to_pdf(render_to_string(template_name, dict(context), request=request))


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
