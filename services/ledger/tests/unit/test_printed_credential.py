"""The printed credential: a QR code a phone reads back as the verification link, the files a
verifier needs attached, Chinese headings when a CJK font is at hand and a Latin page when not."""

from __future__ import annotations

from datetime import UTC, datetime

import pypdfium2
import pytest
import zxingcpp

from civicloop.ledger.printing import Font, PrintedLine, find_cjk_font, qr_matrix, render_pdf
from civicloop.verify.printed import ATTACHMENTS, read_attachments

LINK = (
    "https://civicloop.example/ledger/credentials/0f7c2f4e-55a4-4c58-9a55-0b9f0d0c1a11/verification"
)
LINES = [
    PrintedLine("社区", "Community", "C001"),
    PrintedLine("核验方式", "Verified by", "home_visit", "入户核验"),
    PrintedLine("核验人", "Checked by", "worker:王小明"),
]


def page(font: Font | None) -> bytes:
    return render_pdf(
        title=("高龄补贴认证", "Old-age subsidy verification"),
        lines=LINES,
        verification_url=LINK,
        attachments=[(name, f'{{"name": "{name}"}}'.encode()) for name in ATTACHMENTS],
        printed_at=datetime(2026, 12, 5, tzinfo=UTC),
        font=font,
    )


def text_and_qr(pdf: bytes) -> tuple[str, str]:
    first = pypdfium2.PdfDocument(pdf)[0]
    [code] = zxingcpp.read_barcodes(first.render(scale=3).to_pil())
    return first.get_textpage().get_text_range(), code.text


def test_without_a_cjk_font_the_page_is_latin_and_its_qr_code_reads_as_the_link() -> None:
    pdf = page(None)
    text, scanned = text_and_qr(pdf)
    assert scanned == LINK
    assert "Old-age subsidy verification" in text and "高龄" not in text
    assert "worker:???" in text and "home_visit" in text
    attached = read_attachments(pdf)
    assert attached == {name: f'{{"name": "{name}"}}'.encode() for name in ATTACHMENTS}


def test_with_a_cjk_font_the_headings_are_chinese() -> None:
    font = find_cjk_font()
    if font is None:
        pytest.skip("no font with Chinese glyphs here (make test installs fonts-noto-cjk)")
    text, scanned = text_and_qr(page(font))
    assert scanned == LINK
    assert "高龄补贴认证" in text and "入户核验" in text and "worker:王小明" in text


def test_the_qr_code_is_square_with_its_finder_patterns() -> None:
    matrix = qr_matrix(LINK)
    assert len(matrix) == len(matrix[0]) >= 21
    assert all(matrix[0][:7]) and all(matrix[0][-7:]) and all(matrix[-1][:7])
