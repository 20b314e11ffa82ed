"""Reportlab building blocks for upright's A4 PDF report.

Page geometry, fonts and colours; the paragraph styles; small helpers that turn data
into paragraph markup (:func:`esc` must wrap every text taken from the data) and into
flowables (paragraphs, boxes, tables, images); the per-page footer; and an all-or-nothing
file write. Nothing here knows the report's sections: they live in
:mod:`upright.report.report_pdf`.

Text is set in DejaVu Sans, the font matplotlib ships, so names and symbols outside
Latin-1 print.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import re
import tempfile
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, Paragraph, Table, TableStyle

from upright.assessment.redflags import DISCLAIMER as SHORT_DISCLAIMER
from upright.errors import InputError
from upright.summaries import DISCLAIMER

__all__ = [
    "GREY",
    "MARGIN",
    "WIDTH",
    "Styles",
    "box",
    "cells",
    "coloured",
    "day",
    "esc",
    "first_sentence",
    "grid",
    "heading",
    "image",
    "page_decorator",
    "para",
    "plain",
    "source",
    "styles",
    "write_atomic",
]

#: Left and right page margin.
MARGIN: Final = 15 * mm
#: Width of the text column.
WIDTH: Final = A4[0] - 2 * MARGIN
#: Colour of secondary text: sources, notes, the footer.
GREY: Final = "#5c5c5c"
#: Characters kept of a long text taken from the data (see :func:`plain`).
_LONG_TEXT: Final = 360
_FONT: Final = "DejaVuSans"
_BOLD: Final = "DejaVuSans-Bold"
_ITALIC: Final = "DejaVuSans-Oblique"


# -- styles ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of the report."""

    title: Any
    heading: Any
    body: Any
    cell: Any
    small: Any


@functools.cache
def styles() -> Styles:
    """Paragraph styles, with DejaVu Sans registered (from matplotlib's data folder)."""
    _register_fonts()
    body = ParagraphStyle("body", fontName=_FONT, fontSize=8.5, leading=11, spaceAfter=2)
    return Styles(
        title=ParagraphStyle("title", parent=body, fontName=_BOLD, fontSize=16, leading=20),
        heading=ParagraphStyle(
            "heading",
            parent=body,
            fontName=_BOLD,
            fontSize=11.5,
            leading=14,
            spaceBefore=7,
            spaceAfter=3,
            textColor=colors.HexColor("#1d3557"),
        ),
        body=body,
        cell=ParagraphStyle("cell", parent=body, fontSize=7.8, leading=9.6, spaceAfter=0),
        small=ParagraphStyle(
            "small", parent=body, fontSize=7, leading=8.8, textColor=colors.HexColor(GREY)
        ),
    )


def _register_fonts() -> None:
    """Register DejaVu Sans and its bold and oblique faces, with ``<b>``/``<i>`` mapping."""
    import matplotlib
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = {_FONT: "DejaVuSans", _BOLD: "DejaVuSans-Bold", _ITALIC: "DejaVuSans-Oblique"}
    for name, file in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / f"{file}.ttf")))
    addMapping(_FONT, 0, 0, _FONT)
    addMapping(_FONT, 1, 0, _BOLD)
    addMapping(_FONT, 0, 1, _ITALIC)
    addMapping(_FONT, 1, 1, _BOLD)


# -- markup ----------------------------------------------------------------------------


def esc(text: object) -> str:
    """Data text made safe for reportlab's paragraph markup."""
    return escape(str(text))


def coloured(text: str, colour: str, *, bold: bool = True) -> str:
    """``text``, escaped, in ``colour`` (a hex string), bold unless ``bold`` is false."""
    inner = f"<b>{esc(text)}</b>" if bold else esc(text)
    return f'<font color="{colour}">{inner}</font>'


def source(text: str) -> str:
    """A citation, escaped, in small grey type within parentheses."""
    return f'<font size="6.5" color="{GREY}">({esc(text)})</font>'


def plain(text: str, limit: int = _LONG_TEXT) -> str:
    """``text`` without the disclaimers it may repeat, shortened to ``limit`` characters
    (the full disclaimer closes the report once)."""
    for repeated in (DISCLAIMER, SHORT_DISCLAIMER):
        text = text.replace(repeated, "")
    return textwrap.shorten(text, width=limit, placeholder=" ...")


def first_sentence(text: str) -> str:
    """The first sentence of ``text``, or all of it when it has no sentence end."""
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip())
    return match.group(1) if match else text.strip()


def day(value: dt.datetime | dt.date | None) -> str:
    """The ISO date of ``value``, or "not recorded"."""
    if value is None:
        return "not recorded"
    return (value.date() if isinstance(value, dt.datetime) else value).isoformat()


# -- flowables -------------------------------------------------------------------------


def para(markup: str, style: Any = None) -> Any:
    """A paragraph from markup whose data parts went through :func:`esc`; body style by
    default."""
    return Paragraph(markup, style if style is not None else styles().body)


def heading(title: str) -> Any:
    """A section heading; ``title`` is escaped."""
    return para(esc(title), styles().heading)


def cells(*markup: str) -> list[Any]:
    """One table row: a paragraph in cell style per markup string."""
    return [para(m, styles().cell) for m in markup]


def box(content: list[Any], background: str, border: str) -> Any:
    """``content`` in a coloured box as wide as the page."""
    table = Table([[content]], colWidths=[WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(background)),
                ("BOX", (0, 0), (-1, -1), 1.2, colors.HexColor(border)),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def grid(rows: list[list[Any]], widths: Sequence[float], *, header: bool = True) -> Any:
    """A compact table: light rules, a shaded header row when ``header``."""
    table = Table(rows, colWidths=list(widths), repeatRows=1 if header else 0)
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#c8c8c8")),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9eef5")))
    table.setStyle(TableStyle(style))
    return table


def image(data: bytes, width: float) -> Any:
    """An image flowable ``width`` wide, height from the image's aspect ratio."""
    px_w, px_h = ImageReader(io.BytesIO(data)).getSize()
    return Image(io.BytesIO(data), width=width, height=width * px_h / px_w)


# -- pages and files -------------------------------------------------------------------


def page_decorator(
    footer: str, *, running_head: str, label: str | None, total: int | None
) -> Callable[[Any, Any], None]:
    """A page callback for ``doc.build`` that draws the page's furniture.

    Parameters
    ----------
    footer
        Drawn bottom left on every page.
    running_head
        Drawn top left from the second page on.
    label
        Drawn top right in bold red on every page, when not ``None``.
    total
        The page count, for "page N of M"; "page N" when ``None`` or 0.
    """

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(_FONT, 6.5)
        canvas.setFillColor(colors.HexColor(GREY))
        canvas.drawString(MARGIN, 9 * mm, footer)
        page = f"page {doc.page}" + (f" of {total}" if total else "")
        canvas.drawRightString(A4[0] - MARGIN, 9 * mm, page)
        if doc.page > 1:
            canvas.drawString(MARGIN, A4[1] - 9 * mm, running_head)
        if label is not None:
            canvas.setFont(_BOLD, 7.5)
            canvas.setFillColor(colors.HexColor("#c1121f"))
            canvas.drawRightString(A4[0] - MARGIN, A4[1] - 9 * mm, label)
        canvas.restoreState()

    return decorate


def write_atomic(path: Path, content: bytes) -> None:
    """``content`` to ``path`` through a temporary file in the same folder.

    Raises
    ------
    InputError
        The folder or ``path`` cannot be written; the temporary file is removed.
    """
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(f"cannot write the PDF ({exc.strerror})", path=path) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file normal rights
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write the PDF ({exc.strerror})", path=path) from exc
