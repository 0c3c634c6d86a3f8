"""Intake of uploads: types read from the content, PDFs checked, images cleaned, names tamed."""

import hashlib
import io
import logging
import re
import struct
import unicodedata
import zipfile
import zlib

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject
from reportlab.pdfgen import canvas

from sejour.dossiers import uploads
from sejour.dossiers.uploads import IntegrityFailure, UploadRefused, inspect_upload


@pytest.fixture(autouse=True)
def _in_english():
    """The messages are checked in their English source; French is tested on the pages."""
    with translation.override("en"):
        yield


# Inputs, all made in memory ------------------------------------------------------------------


def make_pdf(pages: int = 1) -> bytes:
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer)
    for number in range(pages):
        document.drawString(72, 720, f"Justificatif de domicile, page {number + 1}")
        document.showPage()
    document.save()
    return buffer.getvalue()


def rewrite_pdf(change, *, pages: int = 1) -> bytes:
    """A reportlab PDF passed through pypdf's writer, after `change(writer)`."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(pages))))
    change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def hand_written_pdf(catalog_extra: bytes) -> bytes:
    """A one-page PDF written byte by byte, for what pypdf's writer would not produce."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    output = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    output += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return output


def make_image(
    fmt: str = "JPEG", size: tuple[int, int] = (40, 20), mode: str = "RGB", **save
) -> bytes:
    image = Image.new(mode, size, "red" if mode in ("RGB", "RGBA") else 128)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    return buffer.getvalue()


def jpeg_with_gps_and_orientation() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # the camera was turned: rotate 90° to show upright
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 24.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 21.0, 3.0)
    return make_image("JPEG", (40, 20), exif=exif.tobytes())


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that announces a size but holds almost no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + chunk(b"IEND", b"")
    )


def refusal(data, name: str = "document.pdf", **options) -> str:
    with pytest.raises(UploadRefused) as refused:
        inspect_upload(data=data, name=name, **options)
    return str(refused.value.message)


def stored_image(clean: uploads.CleanFile) -> Image.Image:
    image = Image.open(io.BytesIO(clean.content))
    image.load()
    return image


# What is accepted ----------------------------------------------------------------------------


def test_pdf_is_kept_as_sent_with_its_page_count():
    pdf = make_pdf(pages=3)

    clean = inspect_upload(data=pdf, name="avis-imposition.pdf")

    assert clean.content == pdf
    assert clean.content_type == "application/pdf"
    assert clean.extension == "pdf"
    assert clean.pages == 3
    assert (clean.width, clean.height) == (None, None)
    assert clean.size == len(pdf)
    assert clean.sha256 == hashlib.sha256(pdf).hexdigest()
    assert clean.original_name == "avis-imposition.pdf"


def test_clean_file_cannot_be_changed():
    clean = inspect_upload(data=make_pdf(), name="a.pdf")

    with pytest.raises(AttributeError):
        clean.size = 1  # type: ignore[misc]


def test_type_comes_from_the_content_not_from_the_name():
    clean = inspect_upload(data=make_image("PNG"), name="scan.pdf")

    assert (clean.content_type, clean.extension) == ("image/png", "png")
    assert clean.original_name == "scan.pdf"


def test_uploaded_file_object_is_read_from_its_start():
    upload = SimpleUploadedFile("passeport.pdf", make_pdf(), content_type="text/plain")
    upload.read()  # as a form's validation may have done

    clean = inspect_upload(data=upload, name=upload.name)

    assert clean.pages == 1
    assert clean.content_type == "application/pdf"


def test_pdf_locked_only_against_editing_is_accepted():
    pdf = rewrite_pdf(lambda w: w.encrypt(user_password="", owner_password="owner"), pages=2)

    assert inspect_upload(data=pdf, name="releve.pdf").pages == 2


def test_jpeg_loses_exif_and_gps_and_is_turned_upright():
    original = jpeg_with_gps_and_orientation()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    clean = inspect_upload(data=original, name="photo.jpg")

    image = stored_image(clean)
    assert image.format == "JPEG"
    assert not image.getexif()
    assert b"Exif" not in clean.content
    assert b"PhoneMaker" not in clean.content
    assert image.size == (20, 40)
    assert (clean.width, clean.height) == (20, 40)
    assert (clean.content_type, clean.extension) == ("image/jpeg", "jpg")
    assert clean.sha256 == hashlib.sha256(clean.content).hexdigest()
    assert clean.size == len(clean.content)


def test_bytes_hidden_after_the_jpeg_end_are_dropped():
    original = make_image("JPEG") + b"PK\x03\x04 HIDDEN-PAYLOAD " * 20

    clean = inspect_upload(data=original, name="photo.jpg")

    assert b"HIDDEN-PAYLOAD" not in clean.content
    assert clean.content.endswith(b"\xff\xd9")


def test_jpeg_comment_is_dropped():
    clean = inspect_upload(data=make_image("JPEG", comment=b"made-by-secret-tool"), name="a.jpg")

    assert b"made-by-secret-tool" not in clean.content


def test_png_text_chunks_are_dropped():
    info = PngInfo()
    info.add_text("Comment", "home address: 12 rue des Lilas")
    info.add_itxt("Author", "Jeanne Martin")
    original = make_image("PNG", pnginfo=info)

    clean = inspect_upload(data=original, name="scan.png")

    assert b"tEXt" not in clean.content
    assert b"iTXt" not in clean.content
    assert b"rue des Lilas" not in clean.content
    assert stored_image(clean).format == "PNG"


def test_palette_png_keeps_its_transparency():
    image = Image.new("P", (8, 8), 1)
    image.putpalette([255, 255, 255, 255, 0, 0] + [0] * 762)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=0)

    clean = inspect_upload(data=buffer.getvalue(), name="signature.png")

    stored = stored_image(clean)
    assert stored.mode == "P"
    assert stored.info.get("transparency") == 0


def test_cmyk_jpeg_is_stored_as_rgb():
    clean = inspect_upload(data=make_image("JPEG", mode="CMYK"), name="flyer.jpg")

    assert stored_image(clean).mode == "RGB"


def test_icc_profile_is_applied_then_dropped():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = make_image("JPEG", icc_profile=srgb)
    assert Image.open(io.BytesIO(original)).info.get("icc_profile")

    clean = inspect_upload(data=original, name="photo.jpg")

    assert "icc_profile" not in stored_image(clean).info


def test_unreadable_icc_profile_is_dropped_without_refusing_the_photo():
    clean = inspect_upload(data=make_image("JPEG", icc_profile=b"not a profile"), name="a.jpg")

    assert "icc_profile" not in stored_image(clean).info


def test_heic_photo_becomes_a_jpeg():
    original = make_image("HEIF", size=(64, 48))

    clean = inspect_upload(data=original, name="IMG_0042.HEIC")

    assert (clean.content_type, clean.extension) == ("image/jpeg", "jpg")
    assert clean.content.startswith(b"\xff\xd8\xff")
    assert stored_image(clean).size == (64, 48)


def test_heic_photo_taken_sideways_is_stored_upright():
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6

    clean = inspect_upload(data=make_image("HEIF", (40, 20), exif=exif.tobytes()), name="a.heic")

    assert (clean.width, clean.height) == (20, 40)


def test_image_at_the_pixel_limit_is_accepted(settings):
    settings.SEJOUR_UPLOAD_MAX_PIXELS = 100

    clean = inspect_upload(data=make_image("PNG", size=(10, 10)), name="a.png")

    assert (clean.width, clean.height) == (10, 10)


# What is refused -----------------------------------------------------------------------------


def test_empty_file_is_refused():
    assert "empty" in refusal(b"")
    assert "empty" in refusal(SimpleUploadedFile("a.pdf", b""))


def test_file_over_the_limit_is_refused_with_the_limit_in_megabytes():
    message = refusal(make_pdf(), max_bytes=100)
    assert "larger than" in message

    limit = 10 * 1024 * 1024
    assert "10 MB" in refusal(b"%PDF-" + b"x" * limit, max_bytes=limit)


def test_default_limit_comes_from_the_settings(settings):
    settings.SEJOUR_UPLOAD_MAX_BYTES = 1024 * 1024 + 512 * 1024

    with translation.override("en"):
        message = refusal(b"%PDF-" + b"x" * settings.SEJOUR_UPLOAD_MAX_BYTES)

    assert "1.5 MB" in message


def test_limit_is_written_as_in_the_language_of_the_person(settings):
    settings.SEJOUR_UPLOAD_MAX_BYTES = 1024 * 1024 + 512 * 1024

    with translation.override("fr"):
        message = refusal(b"%PDF-" + b"x" * settings.SEJOUR_UPLOAD_MAX_BYTES)

    assert "1,5" in message


def test_declared_size_over_the_limit_is_refused_before_reading():
    class HugeUpload:
        size = 50 * 1024 * 1024

        def read(self, size: int = -1) -> bytes:
            raise AssertionError("a file too large must not be read")

    assert "larger than" in refusal(HugeUpload(), max_bytes=1024)


def test_stream_without_size_is_read_no_further_than_the_limit():
    class Stream(io.BytesIO):
        requested: list[int] = []

        def read(self, size: int | None = -1) -> bytes:
            self.requested.append(-1 if size is None else size)
            return super().read(size)

    stream = Stream(b"%PDF-" + b"x" * 5000)

    assert "larger than" in refusal(stream, max_bytes=1000)
    assert stream.requested == [1001]


@pytest.mark.parametrize(
    ("content", "name"),
    [
        pytest.param(b"MZ\x90\x00\x03" + b"\0" * 200, "passeport.pdf", id="windows-program"),
        pytest.param(b"\x7fELF\x02\x01\x01" + b"\0" * 200, "titre.pdf", id="linux-program"),
        pytest.param(b"Hello, I am plain text.\n" * 10, "lettre.pdf", id="text"),
        pytest.param(b"GIF89a" + b"\0" * 100, "photo.jpg", id="gif"),
        pytest.param(b"<html><script>alert(1)</script></html>", "page.pdf", id="html"),
    ],
)
def test_file_of_another_type_is_refused_whatever_its_name(content, name):
    assert "Only PDF files and JPEG or PNG photos" in refusal(content, name)


def test_word_document_renamed_pdf_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")

    assert "save or export it as PDF" in refusal(buffer.getvalue(), "attestation.pdf")


def test_zip_renamed_pdf_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.pdf", make_pdf())

    assert "Only PDF files" in refusal(buffer.getvalue(), "dossier.pdf")


@pytest.mark.parametrize("kept", [0.3, 0.6, 0.9])
def test_truncated_pdf_is_refused(kept):
    pdf = make_pdf(pages=2)

    assert "damaged or incomplete" in refusal(pdf[: int(len(pdf) * kept)])


def test_pdf_signature_over_garbage_is_refused():
    assert "damaged or incomplete" in refusal(b"%PDF-1.7\n" + bytes(range(256)) * 4)


def test_pdf_with_a_user_password_is_refused_with_advice_to_remove_it():
    pdf = rewrite_pdf(lambda w: w.encrypt(user_password="secret", algorithm="AES-256"))

    assert "Remove the password" in refusal(pdf)


def test_pdf_with_javascript_is_refused():
    pdf = rewrite_pdf(lambda w: w.add_open_action(JavaScript("app.alert('hello');")))

    assert "scripts (JavaScript)" in refusal(pdf)


def test_pdf_with_javascript_behind_an_escaped_name_is_refused():
    # /Java#53cript is /JavaScript written with hex escapes, which the PDF syntax allows.
    pdf = hand_written_pdf(b"/OpenAction << /S /Java#53cript /J#53 (app.alert(1)) >>")
    assert inspect_upload(data=hand_written_pdf(b""), name="a.pdf").pages == 1

    assert "scripts (JavaScript)" in refusal(pdf)


def test_pdf_with_javascript_in_a_page_action_is_refused():
    def add_page_action(writer: PdfWriter) -> None:
        action = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.launchURL('https://example.org');"),
            }
        )
        writer.pages[1][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})

    assert "scripts (JavaScript)" in refusal(rewrite_pdf(add_page_action, pages=2))


def test_pdf_with_an_embedded_file_is_refused():
    pdf = rewrite_pdf(lambda w: w.add_attachment("payload.exe", b"MZ\x90\x00"))

    assert "attached files" in refusal(pdf)


def test_pdf_with_a_launch_action_is_refused():
    pdf = hand_written_pdf(b"/OpenAction << /S /Launch /F (cmd.exe) >>")

    assert "open other programs" in refusal(pdf)


def test_image_over_the_pixel_setting_is_refused_before_decoding(settings):
    settings.SEJOUR_UPLOAD_MAX_PIXELS = 40_000_000

    # The header says 8000 x 6000 but no pixel data follows: decoding would say "damaged".
    message = refusal(png_header_only(8000, 6000), "scan.png")

    assert "more than 40 million pixels" in message


def test_decompression_bomb_is_refused_quickly():
    message = refusal(png_header_only(100_000, 100_000), "bomb.png")

    assert "too large" in message


def test_image_one_pixel_over_the_limit_is_refused(settings):
    settings.SEJOUR_UPLOAD_MAX_PIXELS = 100

    assert "too large" in refusal(make_image("PNG", size=(11, 10)), "a.png")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_image_is_refused(fmt):
    image = Image.effect_noise((200, 200), 64).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    content = buffer.getvalue()

    assert "damaged or incomplete" in refusal(content[: len(content) // 2], "photo")


def test_jpeg_signature_over_garbage_is_refused():
    assert "damaged or incomplete" in refusal(b"\xff\xd8\xff\xe0" + b"\x00\x01" * 200, "a.jpg")


# Names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\system.ini", "system.ini"),
        ("C:\\Users\\Amina\\Documents\\passeport.pdf", "passeport.pdf"),
        ("uploads/../", "document"),
        ("..", "document"),
        ("", "document"),
        ("   ", "document"),
        ("\x00", "document"),
        ("rapport\x00.pdf", "rapport.pdf"),
        ("ligne\nsuivante.pdf", "lignesuivante.pdf"),
        ("facture\u202efdp.exe", "facturefdp.exe"),
        ("\u2067évil\u2069.pdf", "évil.pdf"),
        ('a<b>c:d"e|f?g*.pdf', "a_b_c_d_e_f_g_.pdf"),
        ("  deux   espaces .pdf ", "deux espaces .pdf"),
        ("شهادة الإقامة.pdf", "شهادة الإقامة.pdf"),
    ],
)
def test_names_are_reduced_to_a_safe_base_name(sent, kept):
    assert uploads.clean_name(sent) == kept


def test_name_is_nfc_normalised():
    decomposed = unicodedata.normalize("NFD", "relevé-de-compte.pdf")
    assert decomposed != "relevé-de-compte.pdf"

    assert uploads.clean_name(decomposed) == "relevé-de-compte.pdf"


def test_long_name_is_cut_to_120_characters_keeping_its_extension():
    name = uploads.clean_name("justificatif " * 30 + ".pdf")

    assert len(name) <= 120
    assert name.endswith(".pdf")
    assert uploads.clean_name("x" * 500) == "x" * 120


def test_inspected_file_carries_the_cleaned_name():
    clean = inspect_upload(data=make_pdf(), name="../../etc/\u202epasswd.pdf")

    assert clean.original_name == "passwd.pdf"


# Storage names and integrity -----------------------------------------------------------------


def test_storage_name_is_made_by_the_server():
    sha = hashlib.sha256(b"x").hexdigest()

    with time_machine.travel("2026-11-03 10:00 +01:00", tick=False):
        first = uploads.storage_name(sha256=sha, extension="pdf")
        second = uploads.storage_name(sha256=sha, extension="pdf")

    assert re.fullmatch(r"documents/2026/11/[0-9a-f]{32}\.pdf", first)
    assert first != second
    assert sha not in first


def test_storage_name_month_is_the_paris_month():
    with time_machine.travel("2026-11-30 23:30 +00:00", tick=False):
        name = uploads.storage_name(sha256="0" * 64, extension="jpg")

    assert name.startswith("documents/2026/12/")


def test_storage_name_refuses_an_extension_not_of_the_intake():
    with pytest.raises(ValueError, match="extension"):
        uploads.storage_name(sha256="0" * 64, extension="exe")


def test_unchanged_content_passes_the_integrity_check():
    content = make_pdf()

    uploads.verify_integrity(content=content, sha256=hashlib.sha256(content).hexdigest())
    uploads.verify_integrity(content=content, sha256=hashlib.sha256(content).hexdigest().upper())


def test_changed_content_fails_the_integrity_check_and_alerts_staff(caplog):
    content = make_pdf()
    sha = hashlib.sha256(content).hexdigest()

    with (
        caplog.at_level(logging.ERROR, logger="sejour.dossiers.uploads"),
        pytest.raises(IntegrityFailure) as failure,
    ):
        uploads.verify_integrity(content=content + b" ", sha256=sha)

    assert "Staff have been alerted" in str(failure.value.message)
    assert [record.expected_sha256 for record in caplog.records] == [sha]
