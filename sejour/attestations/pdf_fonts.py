"""The shipped fonts, with their subsets made once per process rather than once per PDF.

ReportLab embeds, in every document, a subset of each TrueType font holding the letters the
document uses, rebuilt and compressed each time: a third of a receipt's cost. Here a
subset is made once for each distinct list of letters and kept, compressed, for the
process's life; and each document starts by taking, in a fixed order, the letters its
language commonly needs, so that nearly every document asks for the very same subset (a
name with a rarer letter adds it after them). The same data still gives the same bytes.
"""

import functools
import zlib
from pathlib import Path

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    TTFontFace,
    makeToUnicodeCMap,
)
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = Path(__file__).resolve().parent / "fonts"
SANS = "SejourSans"
SANS_BOLD = "SejourSans-Bold"
_FONT_FILES = {SANS: "DejaVuSans.ttf", SANS_BOLD: "DejaVuSans-Bold.ttf"}

# Beyond ASCII, which ReportLab always places first: the letters of French (and of the
# names most often written with Latin letters), the typography of the documents, and for
# Arabic the presentation forms of its letters (what shaped text is drawn with) and punctuation.
LATIN = "àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆáíóúñãõÁÍÓÚÑ«»–—’…€°·"  # noqa: RUF001
ARABIC = (
    "".join(chr(code) for code in range(0xFE80, 0xFEFD))
    + "\u060c\u061b\u061f\u066b\u066c\u0640"  # comma, semicolon, question mark, separators, tatweel
    + "".join(chr(code) for code in range(0x0660, 0x066A))  # Arabic-Indic digits
)
# What room Arabic leaves in the first subset: the accents of French place names.
LATIN_BESIDE_ARABIC = "éèêëàâçôîïùÉÈ"
# Subsets cached per font: a few languages times a few rare letters; bounded all the same.
CACHE_SIZE = 256


class _Formatted(pdfdoc.PDFObject):
    """A PDF value written once and kept as bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: pdfdoc.PDFDocument) -> bytes:
        return self.data


def _compressed_stream(compressed: bytes, *, compression: bool, **entries: int) -> pdfdoc.PDFStream:
    """A stream of content compressed already: its dictionary names the filter, so ReportLab
    writes it as is."""
    stream = pdfdoc.PDFStream()
    stream.dictionary.dict.update(entries)
    if compression:
        stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
        stream.content = compressed
    else:
        stream.content = zlib.decompress(compressed)
    return stream


class _Face(TTFontFace):
    """A font face whose embedded subsets are made and compressed once per letter list."""

    def addSubsetObjects(
        self, doc: pdfdoc.PDFDocument, fontname: str, subset: list[int]
    ) -> pdfdoc.PDFObjectReference:
        raw_length, compressed = self.subset_file(tuple(subset))
        font_file = _compressed_stream(compressed, compression=doc.compression, Length1=raw_length)
        reference = doc.Reference(font_file, f"fontFile:{self.filename}({fontname})")
        descriptor = pdfdoc.PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": self.ascent,
                "CapHeight": self.capHeight,
                "Descent": self.descent,
                "Flags": (self.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                "FontBBox": pdfdoc.PDFArray(self.bbox),
                "FontName": pdfdoc.PDFName(fontname),
                "ItalicAngle": self.italicAngle,
                "StemV": self.stemV,
                "FontFile2": reference,
                "MissingWidth": self.defaultWidth,
            }
        )
        return doc.Reference(descriptor, "fontDescriptor:" + fontname)

    @functools.lru_cache(maxsize=CACHE_SIZE)  # noqa: B019 (the faces live as long as the process)
    def subset_file(self, subset: tuple[int, ...]) -> tuple[int, bytes]:
        raw = self.makeSubset(list(subset))
        return len(raw), zlib.compress(raw)

    @functools.lru_cache(maxsize=CACHE_SIZE)  # noqa: B019
    def subset_widths(self, subset: tuple[int, ...]) -> bytes:
        return bytes(pdfdoc.PDFArray(map(self.getCharWidth, subset)).format(None))


@functools.lru_cache(maxsize=CACHE_SIZE)
def _to_unicode(base_font_name: str, subset: tuple[int, ...]) -> bytes:
    return zlib.compress(makeToUnicodeCMap(base_font_name, list(subset)).encode("latin-1"))


class SubsetCachingFont(TTFont):
    """A TrueType font whose subsets, widths and character maps come from caches.

    `addObjects` is ReportLab's, its costly parts cached: the same objects are written.
    """

    face: _Face

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self.face.__class__ = _Face  # same data, more methods: no second parse of the file

    def addObjects(self, doc: pdfdoc.PDFDocument) -> None:
        state = self._assignState(doc)
        state.frozen = 1
        for n, letters in enumerate(state.subsets):
            subset = tuple(letters)
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_font_name = b"".join(
                (SUBSETN(n), b"+", self.face.name, self.face.subfontNameX)
            ).decode("pdfdoc")
            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.__Comment__ = f"Font {self.fontName} subset {n}"
            pdf_font.Name = internal_name
            pdf_font.BaseFont = base_font_name
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            pdf_font.Widths = _Formatted(self.face.subset_widths(subset))
            cmap = _compressed_stream(
                _to_unicode(base_font_name, subset), compression=doc.compression
            )
            pdf_font.ToUnicode = doc.Reference(cmap, "toUnicodeCMap:" + base_font_name)
            pdf_font.FontDescriptor = self.face.addSubsetObjects(doc, base_font_name, letters)
            doc.Reference(pdf_font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = pdf_font
        del self.state[doc]


@functools.cache
def register() -> None:
    """Load the shipped fonts once per process."""
    for name, file_name in _FONT_FILES.items():
        pdfmetrics.registerFont(SubsetCachingFont(name, str(FONT_DIR / file_name)))


def take_common_letters(canvas: Canvas, *, rtl: bool) -> None:
    """Give the language's common letters their codes first, in a fixed order.

    A subset holds 256 letters, ASCII first: Arabic's forms fill what is left of the first,
    so that no word of a right-to-left line is split between two subsets (text extraction
    would read it out of order). Bold text is the same few titles and labels in every
    document of a kind: only its Latin letters are set, for the names it may carry, and
    none in right-to-left documents, whose titles fill it.
    """
    document = canvas._doc  # the font state is kept per document
    letters = ARABIC + LATIN_BESIDE_ARABIC if rtl else LATIN
    pdfmetrics.getFont(SANS).splitString(letters, document)
    if not rtl:
        pdfmetrics.getFont(SANS_BOLD).splitString(LATIN, document)
