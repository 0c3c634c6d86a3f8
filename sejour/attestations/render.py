"""The documents the system issues, as A4 PDFs: data in, bytes out.

The receipt and the attestations hold on one page; a decision letter, whose grounds and
remedies run as long as they must, flows onto as many pages as it needs.

Pure: no database, no templates, no translation. Every human text (title, labels, legal
mention, date formats) arrives already translated into the holder's language; this module
only lays it out, right to left when the language is written so. The same data gives the
same bytes.

Arabic: ReportLab 5.1 reorders right-to-left text only with `rlbidi`, which is not on PyPI,
so `arabic_reshaper` joins the letters (presentation forms, which DejaVu Sans draws) and
python-bidi puts each line in visual order (its Python algorithm, as the Rust one does not
mirror brackets). Each line so changed carries its logical text as /ActualText, so that
copying it or reading it aloud gives the words as written.
"""

import datetime as dt
import functools
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import cast
from zoneinfo import ZoneInfo

import arabic_reshaper
import zxingcpp
from bidi.algorithm import get_display
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from typing_extensions import Buffer

from sejour.attestations import pdf_fonts
from sejour.attestations.pdf_fonts import SANS, SANS_BOLD

PARIS = ZoneInfo("Europe/Paris")
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})

# The QR code: medium error correction survives a fold or a stain. zxing-cpp encodes it, mask
# chosen by the standard's penalty rules, in 1 ms; segno takes 14 ms (3 ms with a fixed mask).
QR_ERROR = "M"
QR_QUIET_ZONE = 4  # modules, as ISO/IEC 18004 asks

BLUE = HexColor("#000091")  # the State's blue
RED = HexColor("#E1000F")
INK = HexColor("#161616")
GREY = HexColor("#666666")
RULE = HexColor("#DDDDDD")
TINT = HexColor("#EEEEFF")
WHITE = HexColor("#FFFFFF")

PAGE_WIDTH, PAGE_HEIGHT = float(A4[0]), float(A4[1])
MARGIN = 48.0
BOTTOM = 40.0
LABEL_WIDTH = 160.0
GUTTER = 12.0
QR_SIZE = 128.0

_STRONG_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_RESHAPER = arabic_reshaper.ArabicReshaper()
_DARK_RUN = re.compile(b"\x00+")


@dataclass(frozen=True, kw_only=True, slots=True)
class Labels:
    """The fixed words of the documents, in the holder's language (given by the caller)."""

    republic: str  # "République française"
    motto: str  # "Liberté, Égalité, Fraternité"
    issued_at: str  # "Délivré le"
    holder: str
    date_of_birth: str
    nationality: str
    foreigner_number: str
    dossier_number: str
    procedure: str
    permit_type: str
    prefecture: str
    filed_at: str
    attempted_at: str
    incident_reference: str
    failure: str  # "Incident constaté"
    valid_from: str
    valid_until: str
    right_to_work: str
    documents: str
    verification_code: str
    verify_at: str  # "Vérifiez ce document sur"
    date_format: str = "%d/%m/%Y"  # strftime, numbers only: no locale is involved
    datetime_format: str = "%d/%m/%Y %H:%M"  # Paris time
    # The decision letter's words: defaults, so that the other documents need not give them.
    decided_at: str = "Decided on"
    decision: str = "Decision"  # above the outcome, in its box
    reasons: str = "Grounds"
    remedies: str = "How to challenge this decision"
    prefecture_signature: str = "For the prefect"  # "Pour le préfet et par délégation"


@dataclass(frozen=True, kw_only=True, slots=True)
class Holder:
    full_name: str
    date_of_birth: dt.date | None = None
    nationality: str | None = None
    foreigner_number: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentLine:
    """One filed document: the checklist item's name and the file's name."""

    name: str
    file_name: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Verification:
    code: str  # "XXXX-XXXX-XXXX", printed large
    url: str  # the public page that checks the code
    token: str  # the signed payload

    @property
    def qr_text(self) -> str:
        """What the QR code holds: the check page's address with the signed payload, so that a
        phone's camera opens the live check and an offline tool still finds the payload."""
        return f"{self.url}?token={self.token}" if self.url else self.token


@dataclass(frozen=True, kw_only=True, slots=True)
class ReceiptData:
    """A filing receipt (attestation de dépôt): proves the filing, not the right to stay."""

    language: str  # "fr", "en", "ar": the direction of the page and its /Lang
    labels: Labels
    title: str
    holder: Holder
    dossier_number: str
    procedure: str
    permit_type: str
    prefecture: str
    filed_at: dt.datetime
    issued_at: dt.datetime
    documents: Sequence[DocumentLine] = ()
    verification: Verification
    legal_mention: str


@dataclass(frozen=True, kw_only=True, slots=True)
class AttestationData:
    """An extension or favourable-decision attestation: proves the right to stay."""

    language: str
    labels: Labels
    title: str
    holder: Holder
    dossier_number: str
    procedure: str
    permit_type: str
    prefecture: str
    filed_at: dt.datetime
    issued_at: dt.datetime
    valid_from: dt.date
    valid_until: dt.date
    right_to_work: str | None  # the mention, e.g. "Autorise son titulaire à travailler"
    documents: Sequence[DocumentLine] = ()
    verification: Verification
    legal_mention: str


@dataclass(frozen=True, kw_only=True, slots=True)
class AttemptData:
    """A proof of attempt: the platform failed the applicant, who may file another way."""

    language: str
    labels: Labels
    title: str
    holder: Holder
    dossier_number: str | None
    procedure: str
    permit_type: str
    prefecture: str
    attempted_at: dt.datetime
    issued_at: dt.datetime
    incident_reference: str
    failure: str  # what went wrong, in words
    verification: Verification
    legal_mention: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ConvocationData:
    """A convocation to a counter (sejour.appointments): where, when, what to bring; its QR
    code checks the person in at the counter."""

    language: str
    labels: Labels
    title: str
    holder: Holder
    facts: Sequence[tuple[str, str, bool]]  # label, value, True when read left to right
    box: tuple[str, str] | None  # the date and place, what a reader must not miss
    bring_heading: str
    bring: Sequence[str] = ()  # what to bring, one line each
    issued_at: dt.datetime
    verification: Verification
    legal_mention: str


@dataclass(frozen=True, kw_only=True, slots=True)
class DecisionLetterData:
    """A decision on an application, with its grounds and how to challenge it.

    One page or more: the grounds and the remedies are never cut short.
    """

    language: str
    labels: Labels
    title: str  # "Décision de refus de titre de séjour", "Décision favorable"
    holder: Holder
    dossier_number: str
    procedure: str
    permit_type: str
    prefecture: str
    filed_at: dt.datetime
    decided_at: dt.datetime  # also the date of issue, in the header
    outcome_text: str  # the decision itself, one sentence, in a box
    reasons: Sequence[str] = ()  # the grounds, each a paragraph
    remedies: Sequence[str] = ()  # the legal remedies and their deadlines, each a paragraph
    agent_name: str = ""  # who signs for the prefect
    verification: Verification
    legal_mention: str


register_fonts = pdf_fonts.register

# Shaping, bidi and measures are cached per process: the labels, titles and legal mentions
# of a language are the same in every document, and a line is measured word by word.
_CACHE_SIZE = 8192


def _has_rtl(text: str) -> bool:
    return _STRONG_RTL.search(text) is not None


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _shaped(text: str) -> str:
    """Arabic letters in their joined forms (presentation forms), the rest as is."""
    return str(_RESHAPER.reshape(text)) if _has_rtl(text) else text


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _shaped_width(word: str, font: str, size: float) -> float:
    pdf_fonts.register()
    return float(pdfmetrics.stringWidth(_shaped(word), font, size))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _visual(text: str, base: str | None) -> str:
    """The line in the order it is drawn: joined, and right to left where it must be."""
    return str(get_display(_shaped(text), base_dir=base))


def _ellipsize(text: str, font: str, size: float, width: float) -> str:
    if _shaped_width(text, font, size) <= width:
        return text
    while text and _shaped_width(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Logical lines of `text` that fit in `width`; a word too long is cut between letters."""
    return list(_wrap(text, font, size, width))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _wrap(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    # Letters join within a word only, and a width is the sum of its letters' widths: a
    # line's width is that of its words and of the spaces between them.
    space = _shaped_width(" ", font, size)
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, line_width = "", 0.0
        for word in paragraph.split():
            word_width = _shaped_width(word, font, size)
            candidate_width = line_width + space + word_width if line else word_width
            if candidate_width <= width:
                line = f"{line} {word}" if line else word
                line_width = candidate_width
                continue
            if line:
                lines.append(line)
            line, line_width = word, word_width
            while line_width > width and len(line) > 1:
                cut = len(line) - 1
                while cut > 1 and _shaped_width(line[:cut], font, size) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
                line_width = _shaped_width(line, font, size)
        lines.append(line)
    return tuple(lines)


class _Page:
    """A canvas that writes from the start edge of the line: left, or right for RTL."""

    def __init__(self, canvas: Canvas, *, rtl: bool) -> None:
        self.canvas = canvas
        self.rtl = rtl

    def x(self, offset: float) -> float:
        """The x of a point `offset` from the start margin."""
        return PAGE_WIDTH - MARGIN - offset if self.rtl else MARGIN + offset

    def text(
        self,
        text: str,
        *,
        offset: float,
        y: float,
        font: str = SANS,
        size: float = 10,
        color: Color = INK,
        direction: str | None = None,
        end: bool = False,
        char_space: float = 0,
    ) -> None:
        """Draw one line from `offset`; `direction` "L" for codes and numbers, None to guess.

        `end` aligns the line on the end edge instead (the start edge's mirror).
        """
        visual = text
        if self.rtl or _has_rtl(text):
            base = direction or ("R" if self.rtl and _has_rtl(text) else None)
            visual = _visual(text, base)
        c = self.canvas
        c.setFont(font, size)
        c.setFillColor(color)
        if visual != text:
            hex_text = text.encode("utf-16-be").hex().upper()
            c.addLiteral(f"/Span <</ActualText <FEFF{hex_text}>>> BDC")
        if self.rtl != end:
            c.drawRightString(PAGE_WIDTH - MARGIN - offset, y, visual, charSpace=char_space)
        else:
            c.drawString(MARGIN + offset, y, visual, charSpace=char_space)
        if visual != text:
            c.addLiteral("EMC")

    def rule(self, y: float, color: Color = RULE, width: float = 0.5) -> None:
        self.canvas.setStrokeColor(color)
        self.canvas.setLineWidth(width)
        self.canvas.line(MARGIN, y, PAGE_WIDTH - MARGIN, y)


def _date(value: dt.date, labels: Labels) -> str:
    return value.strftime(labels.date_format)


def _moment(value: dt.datetime, labels: Labels) -> str:
    if value.tzinfo is None:
        raise ValueError("Dates and times on documents must be aware.")
    return value.astimezone(PARIS).strftime(labels.datetime_format)


# A fact: its label, its value, and "L" when the value is a number or code read left to right.
_Fact = tuple[str, str, str | None]


def _holder_facts(holder: Holder, labels: Labels) -> list[_Fact]:
    facts: list[_Fact] = [(labels.holder, holder.full_name, None)]
    if holder.date_of_birth is not None:
        facts.append((labels.date_of_birth, _date(holder.date_of_birth, labels), "L"))
    if holder.nationality:
        facts.append((labels.nationality, holder.nationality, None))
    if holder.foreigner_number:
        facts.append((labels.foreigner_number, holder.foreigner_number, "L"))
    return facts


def _flag(page: _Page, top: float, *, stripe: float, height: float) -> None:
    """The tricolour at the start corner, its top at `top`."""
    c = page.canvas
    # The flag keeps blue at the hoist whatever the direction of the page.
    flag_left = PAGE_WIDTH - MARGIN - 3 * stripe if page.rtl else MARGIN
    for i, color in enumerate((BLUE, WHITE, RED)):
        c.setFillColor(color)
        c.rect(flag_left + i * stripe, top - height, stripe, height, 0, 1)
    c.setStrokeColor(RULE)
    c.setLineWidth(0.5)
    c.rect(flag_left, top - height, 3 * stripe, height, 1, 0)


def _header(page: _Page, labels: Labels, issued_at: dt.datetime, title: str) -> float:
    """The State's block, the date of issue and the title; returns the y below them."""
    top = PAGE_HEIGHT - MARGIN
    _flag(page, top, stripe=6.0, height=18.0)
    page.text(labels.republic.upper(), offset=26, y=top - 9, font=SANS_BOLD, size=10.5)
    page.text(labels.motto, offset=26, y=top - 19, size=7.5, color=GREY)
    issued = f"{labels.issued_at} {_moment(issued_at, labels)}"
    page.text(issued, offset=0, y=top - 9, size=8, color=GREY, end=True)
    y = top - 48
    for line in wrap(title, SANS_BOLD, 16, PAGE_WIDTH - 2 * MARGIN):
        page.text(line, offset=0, y=y, font=SANS_BOLD, size=16, color=BLUE)
        y -= 20
    page.rule(y + 8, color=RED, width=1)
    return y - 8


def _fact_lines(label: str, value: str) -> tuple[list[str], list[str]]:
    value_width = PAGE_WIDTH - 2 * MARGIN - LABEL_WIDTH - GUTTER
    return wrap(label, SANS, 8.5, LABEL_WIDTH), wrap(value, SANS, 10, value_width)


def _fact_height(label_lines: Sequence[str], value_lines: Sequence[str]) -> float:
    return max(11 * len(label_lines), 13 * len(value_lines)) + 5


def _fact_row(
    page: _Page,
    y: float,
    *,
    label_lines: Sequence[str],
    value_lines: Sequence[str],
    direction: str | None,
) -> float:
    """One fact, its label at the start and its value beside; returns the y below it."""
    for i, line in enumerate(label_lines):
        page.text(line, offset=0, y=y - i * 11, size=8.5, color=GREY)
    for i, line in enumerate(value_lines):
        page.text(line, offset=LABEL_WIDTH + GUTTER, y=y - i * 13, direction=direction)
    y -= _fact_height(label_lines, value_lines)
    page.rule(y + 9)
    return y


def _facts(page: _Page, facts: Sequence[_Fact], y: float) -> float:
    for label, value, direction in facts:
        if not value:
            continue
        label_lines, value_lines = _fact_lines(label, value)
        y = _fact_row(
            page, y, label_lines=label_lines, value_lines=value_lines, direction=direction
        )
    return y - 4


def _box(page: _Page, label: str, text: str, y: float) -> float:
    """A tinted box with a bold text: what a reader must not miss."""
    width = PAGE_WIDTH - 2 * MARGIN
    lines = wrap(text, SANS_BOLD, 10.5, width - 20)
    height = 22 + 14 * len(lines)
    c = page.canvas
    c.setFillColor(TINT)
    c.rect(MARGIN, y - height + 10, width, height, 0, 1)
    c.setFillColor(BLUE)
    c.rect(page.x(0) - (3 if page.rtl else 0), y - height + 10, 3, height, 0, 1)
    page.text(label, offset=12, y=y - 4, size=8.5, color=GREY)
    for i, line in enumerate(lines):
        page.text(line, offset=12, y=y - 19 - 14 * i, font=SANS_BOLD, size=10.5, color=BLUE)
    return y - height - 8


def _documents(
    page: _Page, label: str, documents: Sequence[DocumentLine], y: float, floor: float
) -> float:
    """The filed documents, one a line; smaller, then cut short, so that the page holds."""
    if not documents:
        return y
    page.text(label, offset=0, y=y, font=SANS_BOLD, size=9.5)
    y -= 15
    for size in (9.0, 8.0, 7.0):
        step = size + 3.5
        if len(documents) * step <= y - floor:
            break
    shown = max(0, min(len(documents), int((y - floor) // step)))
    if shown < len(documents):
        shown = max(0, shown - 1)
    name_width = (PAGE_WIDTH - 2 * MARGIN) * 0.58
    file_width = (PAGE_WIDTH - 2 * MARGIN) * 0.38
    for document in documents[:shown]:
        page.text("•", offset=0, y=y, size=size, color=GREY)
        name = _ellipsize(document.name, SANS, size, name_width - 10)
        page.text(name, offset=10, y=y, size=size)
        file_name = _ellipsize(document.file_name, SANS, size - 1, file_width)
        page.text(file_name, offset=0, y=y, size=size - 1, color=GREY, direction="L", end=True)
        y -= step
    if shown < len(documents):
        page.text(f"… +{len(documents) - shown}", offset=10, y=y, size=size, color=GREY)
        y -= step
    return y - 6


def _legal_mention_height(text: str) -> float:
    return 10.5 * len(wrap(text, SANS, 8, PAGE_WIDTH - 2 * MARGIN)) + 12


def _legal_mention(page: _Page, text: str) -> None:
    lines = wrap(text, SANS, 8, PAGE_WIDTH - 2 * MARGIN)
    y = BOTTOM + QR_SIZE + 12 + 10.5 * (len(lines) - 1)
    page.rule(y + 12)
    for line in lines:
        page.text(line, offset=0, y=y, size=8, color=GREY)
        y -= 10.5


def qr_rows(token: str) -> list[bytes]:
    """The QR code of `token`, row by row, one byte a module: 0 for dark, 255 for light."""
    symbol = zxingcpp.create_barcode(token, zxingcpp.BarcodeFormat.QRCode, ec_level=QR_ERROR)
    # The image is a buffer of one byte per module, though its stub does not say so.
    image = memoryview(cast(Buffer, symbol.to_image(scale=1, add_quiet_zones=False)))
    height, width = image.shape or (0, 0)
    pixels = image.tobytes()
    return [pixels[row * width : (row + 1) * width] for row in range(height)]


def draw_qr(canvas: Canvas, token: str, *, x: float, y: float, size: float) -> None:
    """The QR code of `token` as filled squares, quiet zone included, lower-left at (x, y)."""
    rows = qr_rows(token)
    module = size / (len(rows) + 2 * QR_QUIET_ZONE)
    # In a frame where a module is one unit and rows go down, every rectangle is in whole
    # numbers: one per run of dark modules, all filled as one path (no seams between them).
    rects = [
        f"{run.start()} {row_index} {run.end() - run.start()} 1 re"
        for row_index, row in enumerate(rows)
        for run in _DARK_RUN.finditer(row)
    ]
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.translate(x + QR_QUIET_ZONE * module, y + size - QR_QUIET_ZONE * module)
    canvas.scale(module, -module)
    canvas.addLiteral("\n".join(rects) + "\nf")
    canvas.restoreState()


def _verification(page: _Page, labels: Labels, verification: Verification) -> None:
    """The QR code at the start corner, the code in large letters and the address beside."""
    qr_x = PAGE_WIDTH - MARGIN - QR_SIZE + 6 if page.rtl else MARGIN - 6
    draw_qr(page.canvas, verification.qr_text, x=qr_x, y=BOTTOM, size=QR_SIZE)
    offset = QR_SIZE + 6
    width = PAGE_WIDTH - 2 * MARGIN - offset
    y = BOTTOM + QR_SIZE - 26
    page.text(labels.verification_code, offset=offset, y=y, size=8.5, color=GREY)
    # DejaVu Sans draws digits and capitals at nearly one width: a monospace face would cost
    # a third font in every file for fourteen letters.
    code = verification.code
    page.text(code, offset=offset, y=y - 28, font=SANS_BOLD, size=24, direction="L", char_space=2)
    y -= 52
    page.text(labels.verify_at, offset=offset, y=y, size=8.5, color=GREY)
    for i, line in enumerate(wrap(verification.url, SANS, 9.5, width)):
        page.text(line, offset=offset, y=y - 14 - 12 * i, size=9.5, color=BLUE, direction="L")


def _new_page(buffer: io.BytesIO, *, language: str, title: str, labels: Labels) -> _Page:
    """A canvas that writes into `buffer`, the same bytes for the same drawing."""
    pdf_fonts.register()
    canvas = Canvas(
        buffer, pagesize=A4, invariant=1, lang=language, pageCompression=1, initialFontName=SANS
    )
    canvas.setTitle(title)
    canvas.setAuthor(labels.republic)
    rtl = language.split("-")[0].lower() in RTL_LANGUAGES
    pdf_fonts.take_common_letters(canvas, rtl=rtl)
    return _Page(canvas, rtl=rtl)


def _render(
    *,
    language: str,
    title: str,
    labels: Labels,
    issued_at: dt.datetime,
    facts: Sequence[_Fact],
    box: tuple[str, str] | None,
    documents: Sequence[DocumentLine],
    verification: Verification,
    legal_mention: str,
) -> bytes:
    buffer = io.BytesIO()
    page = _new_page(buffer, language=language, title=title, labels=labels)
    canvas = page.canvas
    y = _header(page, labels, issued_at, title)
    y = _facts(page, facts, y)
    if box is not None:
        y = _box(page, *box, y)
    floor = BOTTOM + QR_SIZE + _legal_mention_height(legal_mention) + 12
    _documents(page, labels.documents, documents, y - 6, floor)
    _legal_mention(page, legal_mention)
    _verification(page, labels, verification)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_filing_receipt(data: ReceiptData) -> bytes:
    """The filing receipt, given at once on submission."""
    labels = data.labels
    facts = [
        *_holder_facts(data.holder, labels),
        (labels.dossier_number, data.dossier_number, "L"),
        (labels.procedure, data.procedure, None),
        (labels.permit_type, data.permit_type, None),
        (labels.prefecture, data.prefecture, None),
        (labels.filed_at, _moment(data.filed_at, labels), "L"),
    ]
    return _render(
        language=data.language,
        title=data.title,
        labels=labels,
        issued_at=data.issued_at,
        facts=facts,
        box=None,
        documents=data.documents,
        verification=data.verification,
        legal_mention=data.legal_mention,
    )


def render_attestation(data: AttestationData) -> bytes:
    """An extension or favourable-decision attestation, with its validity and right to work."""
    labels = data.labels
    facts = [
        *_holder_facts(data.holder, labels),
        (labels.dossier_number, data.dossier_number, "L"),
        (labels.procedure, data.procedure, None),
        (labels.permit_type, data.permit_type, None),
        (labels.prefecture, data.prefecture, None),
        (labels.filed_at, _moment(data.filed_at, labels), "L"),
        (labels.valid_from, _date(data.valid_from, labels), "L"),
        (labels.valid_until, _date(data.valid_until, labels), "L"),
    ]
    return _render(
        language=data.language,
        title=data.title,
        labels=labels,
        issued_at=data.issued_at,
        facts=facts,
        box=(labels.right_to_work, data.right_to_work) if data.right_to_work else None,
        documents=data.documents,
        verification=data.verification,
        legal_mention=data.legal_mention,
    )


def render_convocation(data: ConvocationData) -> bytes:
    """A convocation to an appointment at a prefecture's counter."""
    facts: list[_Fact] = [
        *_holder_facts(data.holder, data.labels),
        *((label, value, "L" if ltr else None) for label, value, ltr in data.facts),
    ]
    return _render(
        language=data.language,
        title=data.title,
        labels=replace(data.labels, documents=data.bring_heading),
        issued_at=data.issued_at,
        facts=facts,
        box=data.box,
        documents=[DocumentLine(name=line, file_name="") for line in data.bring],
        verification=data.verification,
        legal_mention=data.legal_mention,
    )


def render_proof_of_attempt(data: AttemptData) -> bytes:
    """The proof that a filing failed on the platform's side, for a substitute channel."""
    labels = data.labels
    facts = _holder_facts(data.holder, labels)
    if data.dossier_number:
        facts.append((labels.dossier_number, data.dossier_number, "L"))
    facts += [
        (labels.procedure, data.procedure, None),
        (labels.permit_type, data.permit_type, None),
        (labels.prefecture, data.prefecture, None),
        (labels.attempted_at, _moment(data.attempted_at, labels), "L"),
        (labels.incident_reference, data.incident_reference, "L"),
    ]
    return _render(
        language=data.language,
        title=data.title,
        labels=labels,
        issued_at=data.issued_at,
        facts=facts,
        box=(labels.failure, data.failure),
        documents=(),
        verification=data.verification,
        legal_mention=data.legal_mention,
    )


# The decision letter: its parts flow down the page and onto the next, a unit at a time.

CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
BODY_SIZE = 10.0
BODY_LEADING = 13.5
PARAGRAPH_GAP = 5.0
INDENT = 14.0  # the text of a paragraph, after its bullet
FOOTER_Y = BOTTOM - 18  # the page number, below the verification block
CONTINUED_TOP = PAGE_HEIGHT - MARGIN - 54  # where the text resumes under the compact header


@dataclass(frozen=True, kw_only=True, slots=True)
class _Unit:
    """A part of a flowing page never split across two: a line, a fact, a heading."""

    height: float  # how far down it moves the pen
    draw: Callable[[_Page, float], object]  # draws it with the pen at the y given
    glued: bool = False  # on the same page as the unit before it


# Placed units: each page's units with the y of the pen for each.
_Layout = list[list[tuple[_Unit, float]]]


def _paginate(
    units: Sequence[_Unit], *, first_top: float, floor: float, last_floor: float
) -> _Layout:
    """The units on pages, in order, none below `floor` and the last above `last_floor`.

    A page breaks between chains of glued units, and inside a chain only when it is taller
    than a page. The last chain must end above `last_floor`, where the last page keeps the
    room of its verification block and legal mention; so it alone decides that a new page
    is needed, and the pages before it run down to `floor`.
    """
    chains: list[list[_Unit]] = []
    for unit in units:
        if unit.glued and chains:
            chains[-1].append(unit)
        else:
            chains.append([unit])
    pages: _Layout = [[]]
    y = first_top
    for index, chain in enumerate(chains):
        last_chain = index == len(chains) - 1
        bottom = last_floor if last_chain else floor
        height = sum(unit.height for unit in chain)
        if pages[-1] and y - height < bottom and CONTINUED_TOP - height >= bottom:
            pages.append([])
            y = CONTINUED_TOP
        for position, unit in enumerate(chain):
            unit_bottom = last_floor if last_chain and position == len(chain) - 1 else floor
            if pages[-1] and y - unit.height < unit_bottom:
                pages.append([])
                y = CONTINUED_TOP
            pages[-1].append((unit, y))
            y -= unit.height
    return pages


def _fact_units(facts: Sequence[_Fact]) -> list[_Unit]:
    units = []
    for label, value, direction in facts:
        if not value:
            continue
        label_lines, value_lines = _fact_lines(label, value)
        draw = functools.partial(
            _fact_row, label_lines=label_lines, value_lines=value_lines, direction=direction
        )
        units.append(_Unit(height=_fact_height(label_lines, value_lines), draw=draw))
    if units:  # the gap under the table, as `_facts` leaves it
        units[-1] = replace(units[-1], height=units[-1].height + 4)
    return units


def _draw_box_part(
    page: _Page, y: float, *, above: float, below: float, text: str, label: bool
) -> None:
    """A slice of a tinted box, from `above` over the pen to `below` under it, and its line."""
    c = page.canvas
    c.setFillColor(TINT)
    c.rect(MARGIN, y - below, CONTENT_WIDTH, above + below, 0, 1)
    c.setFillColor(BLUE)
    c.rect(page.x(0) - (3 if page.rtl else 0), y - below, 3, above + below, 0, 1)
    if label:
        page.text(text, offset=12, y=y - 4, size=8.5, color=GREY)
    else:
        page.text(text, offset=12, y=y - 4, font=SANS_BOLD, size=10.5, color=BLUE)


def _box_units(label: str, text: str) -> list[_Unit]:
    """The box of `_box`, drawn a line at a time, so that even a long one may break."""
    lines = wrap(text, SANS_BOLD, 10.5, CONTENT_WIDTH - 20)
    draw = functools.partial(_draw_box_part, above=10, below=5, text=label, label=True)
    units = [_Unit(height=15, draw=draw)]
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        draw = functools.partial(
            _draw_box_part, above=10, below=11 if last else 4, text=line, label=False
        )
        # Glued so that the label and the first two lines, and the last two, stay together.
        glued = i in (0, 1) or (last and i > 0)
        units.append(_Unit(height=29 if last else 14, draw=draw, glued=glued))
    return units


def _draw_heading(page: _Page, y: float, *, lines: Sequence[str]) -> None:
    for i, line in enumerate(lines):
        page.text(line, offset=0, y=y - 10 - 16 * i, font=SANS_BOLD, size=11, color=BLUE)


def _draw_body_line(page: _Page, y: float, *, text: str, bullet: str) -> None:
    if bullet:
        page.text(bullet, offset=0, y=y, size=BODY_SIZE, color=GREY)
    page.text(text, offset=INDENT, y=y, size=BODY_SIZE)


def _paragraph_units(text: str) -> list[_Unit]:
    """A bulleted paragraph, a unit a line; no line alone at the foot or the head of a page."""
    lines = wrap(text.strip(), SANS, BODY_SIZE, CONTENT_WIDTH - INDENT)
    units = []
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        draw = functools.partial(_draw_body_line, text=line, bullet="•" if i == 0 else "")
        height = BODY_LEADING + (PARAGRAPH_GAP if last else 0)
        units.append(_Unit(height=height, draw=draw, glued=i == 1 or (last and i > 0)))
    return units


def _section_units(heading: str, paragraphs: Sequence[str]) -> list[_Unit]:
    """A heading and its paragraphs; none when there are no paragraphs."""
    units = [
        unit
        for paragraph in paragraphs
        if paragraph.strip()
        for unit in _paragraph_units(paragraph)
    ]
    if not units:
        return []
    lines = wrap(heading, SANS_BOLD, 11, CONTENT_WIDTH)
    draw = functools.partial(_draw_heading, lines=lines)
    # The heading keeps its first paragraph's first lines with it.
    return [
        _Unit(height=10 + 16 * len(lines), draw=draw),
        replace(units[0], glued=True),
        *units[1:],
    ]


def _draw_signature(
    page: _Page, y: float, *, lines: Sequence[tuple[str, str]], offset: float
) -> None:
    for i, (line, font) in enumerate(lines):
        page.text(line, offset=offset, y=y - 22 - 14 * i, font=font, size=BODY_SIZE)


def _signature_unit(labels: Labels, agent_name: str) -> _Unit:
    """The signature: "For the prefect" and the agent's name, a block at the end of the line.

    Glued to what comes before it: never alone on a page.
    """
    width = CONTENT_WIDTH / 2
    lines = [(line, SANS) for line in wrap(labels.prefecture_signature, SANS, BODY_SIZE, width)]
    if agent_name.strip():
        name_lines = wrap(agent_name.strip(), SANS_BOLD, BODY_SIZE, width)
        lines += [(line, SANS_BOLD) for line in name_lines]
    block = max((_shaped_width(line, font, BODY_SIZE) for line, font in lines), default=0.0)
    draw = functools.partial(_draw_signature, lines=lines, offset=CONTENT_WIDTH - block)
    return _Unit(height=22 + 14 * len(lines), draw=draw, glued=True)


def _compact_header(page: _Page, labels: Labels, title: str, dossier_number: str) -> float:
    """The header of a following page: the State, the dossier number and the title, small."""
    top = PAGE_HEIGHT - MARGIN
    _flag(page, top, stripe=4.0, height=12.0)
    page.text(labels.republic.upper(), offset=18, y=top - 9, font=SANS_BOLD, size=8)
    # The number apart, read left to right: bidi would turn "2026-75-000123" round.
    page.text(dossier_number, offset=0, y=top - 9, size=8, color=GREY, direction="L", end=True)
    offset = _shaped_width(dossier_number, SANS, 8) + 4
    page.text(labels.dossier_number, offset=offset, y=top - 9, size=8, color=GREY, end=True)
    line = _ellipsize(title, SANS_BOLD, 11, CONTENT_WIDTH)
    page.text(line, offset=0, y=top - 28, font=SANS_BOLD, size=11, color=BLUE)
    page.rule(top - 36, color=RED, width=1)
    return CONTINUED_TOP


def render_decision_letter(data: DecisionLetterData) -> bytes:
    """The decision on an application: the outcome, its grounds, how to challenge it.

    As long as its grounds and remedies need: the text flows onto following pages, each
    under a compact header and numbered "n/m"; the verification block and the legal mention
    close the last page.
    """
    register_fonts()  # measured before the canvas is made
    labels = data.labels
    facts = [
        *_holder_facts(data.holder, labels),
        (labels.dossier_number, data.dossier_number, "L"),
        (labels.procedure, data.procedure, None),
        (labels.permit_type, data.permit_type, None),
        (labels.prefecture, data.prefecture, None),
        (labels.filed_at, _moment(data.filed_at, labels), "L"),
        (labels.decided_at, _moment(data.decided_at, labels), "L"),
    ]
    units = _fact_units(facts)
    if data.outcome_text.strip():
        units += _box_units(labels.decision, data.outcome_text.strip())
    units += _section_units(labels.reasons, data.reasons)
    units += _section_units(labels.remedies, data.remedies)
    units.append(_signature_unit(labels, data.agent_name))

    buffer = io.BytesIO()
    page = _new_page(buffer, language=data.language, title=data.title, labels=labels)
    first_top = _header(page, labels, data.decided_at, data.title)
    last_floor = BOTTOM + QR_SIZE + _legal_mention_height(data.legal_mention) + 12
    pages = _paginate(units, first_top=first_top, floor=BOTTOM, last_floor=last_floor)
    for number, placed in enumerate(pages, start=1):
        if number > 1:
            _compact_header(page, labels, data.title, data.dossier_number)
        for unit, y in placed:
            unit.draw(page, y)
        if len(pages) > 1:
            folio = f"{number}/{len(pages)}"
            page.text(folio, offset=0, y=FOOTER_Y, size=8, color=GREY, direction="L", end=True)
        if number == len(pages):
            _legal_mention(page, data.legal_mention)
            _verification(page, labels, data.verification)
        page.canvas.showPage()
    page.canvas.save()
    return buffer.getvalue()
