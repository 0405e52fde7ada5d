"""The printable credential: an A4 page a holder keeps and a department scans.

The page says what was verified, how, when and by whom, and carries a QR code of the link to
the ledger's public verification of the credential. The VC, its evidence bundle and the status
list at printing are attached as PDF embedded files, so the paper's PDF verifies offline
(`civicloop-verify pdf`). Chinese headings need a CJK font: one found on the machine (fontconfig's
`fc-list :lang=zh`, or LEDGER_PDF_FONT) is embedded; without one the page is printed with the
PDF core font and English headings only (every value on it is ASCII).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import segno
from fpdf import FPDF

_QR_MM = 50.0
_QUIET_MODULES = 4


@dataclass(frozen=True)
class Font:
    path: Path
    collection_index: int = 0


def parse_font(text: str) -> Font:
    """A font setting: a path, optionally '#<index>' for a font collection (.ttc)."""
    path, _, index = text.partition("#")
    return Font(Path(path), int(index or 0))


def find_cjk_font() -> Font | None:
    """A font with Chinese glyphs that fontconfig knows of (regular weights first), or None."""
    if shutil.which("fc-list") is None:
        return None
    try:
        listed = subprocess.run(
            ["fc-list", "-f", "%{file}|%{index}|%{style}|%{family}\n", ":lang=zh"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = []
    for line in listed.splitlines():
        path, index, style, family = (line.split("|") + ["", "", ""])[:4]
        if path.lower().endswith((".ttf", ".otf", ".ttc")) and Path(path).is_file():
            # A regular sans face for Simplified Chinese reads best on a form.
            rank = ("Regular" not in style, "Mono" in path, "Serif" in path, "SC" not in family)
            found.append(((*rank, path, index), Font(Path(path), int(index or 0))))
    return min(found, key=lambda item: item[0])[1] if found else None


@dataclass(frozen=True)
class PrintedLine:
    chinese: str
    english: str
    value: str
    # Shown after the value when a CJK font is embedded (e.g. 入户核验 after home_visit).
    value_chinese: str = ""

    def label(self, cjk: bool) -> str:
        return f"{self.chinese} {self.english}" if cjk else self.english

    def shown(self, cjk: bool) -> str:
        if cjk:
            return f"{self.value} {self.value_chinese}".strip()
        # The core font is Latin-1 only: anything else (a name in a token's subject) shows as ?.
        return self.value.encode("latin-1", "replace").decode("latin-1")


def render_pdf(
    *,
    title: tuple[str, str],
    lines: Sequence[PrintedLine],
    verification_url: str,
    attachments: Sequence[tuple[str, bytes]],
    printed_at: datetime,
    font: Font | None,
) -> bytes:
    """One A4 page: the title, a line per field, the QR code of the verification link and
    the link itself, and the files attached."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(printed_at)
    pdf.set_title(title[1])
    pdf.set_subject(verification_url)
    pdf.set_creator("Civicloop ledger")
    family = "Helvetica"
    if font is not None:
        pdf.add_font("cjk", fname=str(font.path), collection_font_number=font.collection_index)
        family = "cjk"
    pdf.add_page()
    pdf.set_font(family, size=18)
    pdf.cell(0, 12, f"{title[0]}  {title[1]}" if font else title[1], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    cjk = font is not None
    for line in lines:
        pdf.set_font(family, size=9)
        pdf.cell(62, 7, line.label(cjk))
        pdf.set_font(family, size=10)
        pdf.multi_cell(0, 7, line.shown(cjk), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    top = pdf.get_y()
    _draw_qr(pdf, verification_url, pdf.l_margin, top)
    pdf.set_xy(pdf.l_margin + _QR_MM + 6, top + 4)
    pdf.set_font(family, size=9)
    scan = "扫码核验 Scan to verify:" if font else "Scan to verify:"
    pdf.multi_cell(0, 5, f"{scan}\n{verification_url}")
    pdf.set_x(pdf.l_margin + _QR_MM + 6)
    offline = (
        "离线核验 Verify offline: civicloop-verify pdf <this file> (the credential, its log "
        "evidence and the status list at printing are attached)"
    )
    pdf.multi_cell(0, 5, offline if font else offline.split(" ", 1)[1])
    for name, content in attachments:
        pdf.embed_file(
            bytes=content,
            basename=name,
            mime_type="application/json",
            modification_date=printed_at,
        )
    return bytes(pdf.output())


def qr_matrix(text: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code's modules (True: dark), error correction M, without the quiet zone."""
    code = segno.make_qr(text, error="m", boost_error=False)
    return tuple(tuple(bool(m) for m in row) for row in code.matrix)


def _draw_qr(pdf: FPDF, text: str, left: float, top: float) -> None:
    matrix = qr_matrix(text)
    size = len(matrix) + 2 * _QUIET_MODULES
    module = _QR_MM / size
    pdf.set_fill_color(0, 0, 0)
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            run = x
            while run < len(row) and row[run]:
                run += 1
            pdf.rect(
                left + (x + _QUIET_MODULES) * module,
                top + (y + _QUIET_MODULES) * module,
                (run - x) * module,
                module,
                style="F",
            )
            x = run
