"""The issued PDFs, read back: one page, the facts, the code, a QR code that decodes, Arabic.

A decision letter may take more pages: read back whole, none of its text is lost.
"""

import dataclasses
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable
from zoneinfo import ZoneInfo

import arabic_reshaper
import pypdf
import pypdfium2
import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from sejour.attestations import pdf_fonts, render
from sejour.attestations.render import (
    AttemptData,
    AttestationData,
    DecisionLetterData,
    DocumentLine,
    Holder,
    Labels,
    ReceiptData,
    Verification,
)

PARIS = ZoneInfo("Europe/Paris")
FILED_AT = dt.datetime(2026, 3, 1, 10, 15, tzinfo=PARIS)
DECIDED_AT = dt.datetime(2026, 4, 30, 16, 40, tzinfo=PARIS)
TOKEN = (
    "eyJjb2RlIjoiN0szTS1RWDlQLTJURCoiLCJkb3NzaWVyIjoiMjAyNi03NS0wMDAxMjMiLCJpbml0aWFscyI6Ik0u"
    "Qi5BLiIsImtpZCI6IjEyMzQ1Njc4Iiwia2luZCI6InJlY2VpcHQifQ.c2lnbmF0dXJlLW9mLXNpeHR5LWZvdXIt"
    "Ynl0ZXMtLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0"
)
CODE = "7K3M-QX9P-2TD*"
DOSSIER = "2026-75-000123"
ARABIC_NAME = "محمد بن علي"

FRENCH = Labels(
    republic="République française",
    motto="Liberté, Égalité, Fraternité",
    issued_at="Délivrée le",
    holder="Titulaire",
    date_of_birth="Date de naissance",
    nationality="Nationalité",
    foreigner_number="Numéro étranger",
    dossier_number="Numéro de dossier",
    procedure="Démarche",
    permit_type="Titre demandé",
    prefecture="Préfecture",
    filed_at="Demande déposée le",
    attempted_at="Tentative du",
    incident_reference="Référence de l'incident",
    failure="Incident constaté",
    valid_from="Valable à partir du",
    valid_until="Valable jusqu'au",
    right_to_work="Droit au travail",
    documents="Pièces déposées",
    verification_code="Code de vérification",
    verify_at="Vérifiez ce document sur",
    datetime_format="%d/%m/%Y à %H:%M (heure de Paris)",
    decided_at="Décision prise le",
    decision="Décision",
    reasons="Motifs",
    remedies="Voies et délais de recours",
    prefecture_signature="Pour le préfet et par délégation",
)
ENGLISH = Labels(
    republic="French Republic",
    motto="Liberty, Equality, Fraternity",
    issued_at="Issued on",
    holder="Holder",
    date_of_birth="Date of birth",
    nationality="Nationality",
    foreigner_number="Foreigner number",
    dossier_number="Application number",
    procedure="Procedure",
    permit_type="Permit applied for",
    prefecture="Prefecture",
    filed_at="Filed on",
    attempted_at="Attempted on",
    incident_reference="Incident reference",
    failure="What happened",
    valid_from="Valid from",
    valid_until="Valid until",
    right_to_work="Right to work",
    documents="Documents filed",
    verification_code="Verification code",
    verify_at="Check this document at",
    datetime_format="%d/%m/%Y at %H:%M (Paris time)",
    decided_at="Decided on",
    decision="Decision",
    reasons="Grounds",
    remedies="How to challenge this decision",
    prefecture_signature="For the prefect",
)
ARABIC = Labels(
    republic="الجمهورية الفرنسية",
    motto="حرية، مساواة، أخوة",
    issued_at="صدرت في",
    holder="صاحب الوثيقة",
    date_of_birth="تاريخ الميلاد",
    nationality="الجنسية",
    foreigner_number="رقم الأجنبي",
    dossier_number="رقم الملف",
    procedure="الإجراء",
    permit_type="نوع بطاقة الإقامة",
    prefecture="المحافظة",
    filed_at="تاريخ إيداع الطلب",
    attempted_at="تاريخ المحاولة",
    incident_reference="مرجع الحادث",
    failure="ما حدث",
    valid_from="صالحة من",
    valid_until="صالحة حتى",
    right_to_work="الحق في العمل",
    documents="الوثائق المودعة",
    verification_code="رمز التحقق",
    verify_at="تحقق من هذه الوثيقة على",
    decided_at="تاريخ القرار",
    decision="القرار",
    reasons="الأسباب",
    remedies="طرق الطعن في هذا القرار",
    prefecture_signature="عن المحافظ وبتفويض منه",
)
TEXTS = {
    "fr": {
        "labels": FRENCH,
        "name": "Mohamed BEN ALI",
        "title": "Attestation de prolongation d'instruction",
        "procedure": "Renouvellement de titre de séjour",
        "permit_type": "Carte de séjour temporaire « salarié »",
        "prefecture": "Préfecture de police de Paris",
        "right_to_work": "Autorise son titulaire à travailler",
        "legal": "Cette attestation prouve la régularité du séjour (article R.431-15-1 du CESEDA).",
        "document": "Passeport (pages d'identité)",
        "failure": "Le dépôt a échoué : le service des pièces ne répondait pas.",
        "decision_title": "Décision de refus de titre de séjour",
        "outcome": "Votre demande de titre de séjour est refusée, pour les motifs ci-dessous.",
        "reasons": (
            "Vous ne justifiez pas de ressources stables et suffisantes : les bulletins de "
            "salaire fournis couvrent moins de six mois sur les douze derniers.",
            "Votre contrat de travail n'a pas reçu l'autorisation de travail prévue par "
            "l'article L.5221-2 du code du travail.",
            "Vous ne présentez pas le visa de long séjour exigé pour une première délivrance.",
        ),
        "remedies": (
            "Un recours gracieux auprès du préfet ou hiérarchique auprès du ministre de "
            "l'intérieur, dans un délai de deux mois à compter de la notification.",
            "Un recours contentieux devant le tribunal administratif, dans un délai de trente "
            "jours à compter de la notification, notamment sur www.telerecours.fr.",
        ),
    },
    "en": {
        "labels": ENGLISH,
        "name": "Mohamed BEN ALI",
        "title": "Extension attestation",
        "procedure": "Renewal of a residence permit",
        "permit_type": "Temporary residence card “employee”",
        "prefecture": "Paris Police Prefecture",
        "right_to_work": "Entitles its holder to work",
        "legal": "This attestation proves lawful residence (article R.431-15-1 of the CESEDA).",
        "document": "Passport (identity pages)",
        "failure": "Filing failed: the document service did not answer.",
        "decision_title": "Refusal of a residence permit",
        "outcome": "Your application is refused, for the grounds below.",
        "reasons": (
            "You do not show stable and sufficient resources.",
            "Your employment contract lacks the work authorisation the law requires.",
            "You do not hold the long-stay visa a first permit requires.",
        ),
        "remedies": (
            "An administrative appeal to the prefect, within two months of notification.",
            "An appeal to the administrative court, within thirty days of notification.",
        ),
    },
    "ar": {
        "labels": ARABIC,
        "name": ARABIC_NAME,
        "title": "شهادة تمديد دراسة الطلب",
        "procedure": "تجديد بطاقة الإقامة",
        "permit_type": "بطاقة إقامة مؤقتة «أجير»",
        "prefecture": "محافظة شرطة باريس",
        "right_to_work": "تسمح لصاحبها بالعمل",
        "legal": "تثبت هذه الشهادة قانونية الإقامة (المادة R.431-15-1).",
        "document": "جواز السفر",
        "failure": "فشل الإيداع: لم تستجب خدمة الوثائق.",
        "decision_title": "قرار رفض بطاقة الإقامة",
        "outcome": "تم رفض طلبكم للأسباب المبينة أدناه.",
        "reasons": (
            "لا تثبتون توفر موارد مستقرة وكافية.",
            "عقد العمل غير مرفق بترخيص العمل المطلوب.",
            "لا تحملون تأشيرة الإقامة الطويلة المطلوبة.",
        ),
        "remedies": (
            "طعن إداري لدى المحافظ خلال شهرين من تاريخ التبليغ.",
            "طعن أمام المحكمة الإدارية خلال ثلاثين يوما من تاريخ التبليغ.",
        ),
    },
}
LANGUAGES = list(TEXTS)


def _verification(token: str = TOKEN) -> Verification:
    return Verification(code=CODE, url=f"https://sejour.example.org/verifier/{CODE}/", token=token)


def _holder(language: str) -> Holder:
    return Holder(
        full_name=TEXTS[language]["name"],
        date_of_birth=dt.date(1990, 5, 17),
        nationality="Marocaine",
        foreigner_number="7501234567",
    )


def receipt(language: str = "fr", **changes) -> ReceiptData:
    texts = TEXTS[language]
    data = ReceiptData(
        language=language,
        labels=texts["labels"],
        title=texts["title"],
        holder=_holder(language),
        dossier_number=DOSSIER,
        procedure=texts["procedure"],
        permit_type=texts["permit_type"],
        prefecture=texts["prefecture"],
        filed_at=FILED_AT,
        issued_at=FILED_AT,
        documents=(
            DocumentLine(name=texts["document"], file_name="passeport.pdf"),
            DocumentLine(name="Photo", file_name="photo.jpg"),
        ),
        verification=_verification(),
        legal_mention=texts["legal"],
    )
    return dataclasses.replace(data, **changes)


def attestation(language: str = "fr", **changes) -> AttestationData:
    texts = TEXTS[language]
    data = AttestationData(
        language=language,
        labels=texts["labels"],
        title=texts["title"],
        holder=_holder(language),
        dossier_number=DOSSIER,
        procedure=texts["procedure"],
        permit_type=texts["permit_type"],
        prefecture=texts["prefecture"],
        filed_at=FILED_AT,
        issued_at=FILED_AT + dt.timedelta(days=30),
        valid_from=dt.date(2026, 3, 31),
        valid_until=dt.date(2026, 6, 30),
        right_to_work=texts["right_to_work"],
        documents=(DocumentLine(name=texts["document"], file_name="passeport.pdf"),),
        verification=_verification(),
        legal_mention=texts["legal"],
    )
    return dataclasses.replace(data, **changes)


def attempt(language: str = "fr", **changes) -> AttemptData:
    texts = TEXTS[language]
    data = AttemptData(
        language=language,
        labels=texts["labels"],
        title=texts["title"],
        holder=_holder(language),
        dossier_number=DOSSIER,
        procedure=texts["procedure"],
        permit_type=texts["permit_type"],
        prefecture=texts["prefecture"],
        attempted_at=FILED_AT,
        issued_at=FILED_AT,
        incident_reference="INC-2026-0042",
        failure=texts["failure"],
        verification=_verification(),
        legal_mention=texts["legal"],
    )
    return dataclasses.replace(data, **changes)


def letter(language: str = "fr", **changes) -> DecisionLetterData:
    """A refusal with three grounds and two remedies: it holds on one page."""
    texts = TEXTS[language]
    data = DecisionLetterData(
        language=language,
        labels=texts["labels"],
        title=texts["decision_title"],
        holder=_holder(language),
        dossier_number=DOSSIER,
        procedure=texts["procedure"],
        permit_type=texts["permit_type"],
        prefecture=texts["prefecture"],
        filed_at=FILED_AT,
        decided_at=DECIDED_AT,
        outcome_text=texts["outcome"],
        reasons=texts["reasons"],
        remedies=texts["remedies"],
        agent_name="Claire MARTIN",
        verification=_verification(),
        legal_mention=texts["legal"],
    )
    return dataclasses.replace(data, **changes)


RENDERERS: list[tuple[Callable[..., bytes], Callable[..., object]]] = [
    (render.render_filing_receipt, receipt),
    (render.render_attestation, attestation),
    (render.render_proof_of_attempt, attempt),
    (render.render_decision_letter, letter),
]
RENDERER_IDS = ["receipt", "attestation", "attempt", "decision"]


def _text(pdf: bytes) -> str:
    """The page's text as pypdf extracts it, Arabic presentation forms folded to letters."""
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    return unicodedata.normalize("NFKC", page.extract_text())


def _actual_texts(pdf: bytes) -> list[str]:
    """The logical text given for the lines drawn in visual order."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    content = reader.pages[0].get_contents()
    assert content is not None
    data = content.get_data()
    return [
        bytes.fromhex(hex_text).decode("utf-16-be")
        for hex_text in re.findall(rb"/ActualText <FEFF([0-9A-F]*)>", data)
        for hex_text in [hex_text.decode()]
    ]


def _qr_token(text: str) -> str:
    """The signed payload in a QR code: it holds the check page's address with it."""
    url, _, query = text.partition("?token=")
    assert url.startswith("https://"), text
    assert "/verifier/" in url, text
    return query


def _qr_codes(pdf: bytes, page_index: int = 0) -> list[zxingcpp.Barcode]:
    """The QR codes a scanner finds on the page printed at 144 dpi."""
    page = pypdfium2.PdfDocument(pdf)[page_index]
    image = page.render(scale=2).to_pil()
    return [
        code
        for code in zxingcpp.read_barcodes(image)
        if code.format == zxingcpp.BarcodeFormat.QRCode
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("renderer", "make"), RENDERERS, ids=RENDERER_IDS)
def test_each_document_is_one_page_with_the_dossier_number_and_the_code(renderer, make, language):
    pdf = renderer(make(language))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert pdf.startswith(b"%PDF-")
    assert len(reader.pages) == 1
    assert reader.pages[0].mediabox.width == pytest.approx(595.27, abs=0.01)
    assert reader.trailer["/Root"]["/Lang"] == language
    text = _text(pdf)
    assert DOSSIER in text
    assert CODE in text
    assert f"https://sejour.example.org/verifier/{CODE}/" in text


@pytest.mark.parametrize(("renderer", "make"), RENDERERS, ids=RENDERER_IDS)
def test_the_arabic_holder_name_reads_in_logical_order(renderer, make):
    data = make("ar")
    pdf = renderer(data)
    assert ARABIC_NAME in _text(pdf)
    # Viewers that honour /ActualText copy the name as written, not as drawn.
    assert ARABIC_NAME in _actual_texts(pdf)
    assert data.title in _actual_texts(pdf)


def test_an_arabic_name_on_a_french_page_reads_in_logical_order():
    holder = dataclasses.replace(_holder("fr"), full_name=ARABIC_NAME)
    pdf = render.render_filing_receipt(receipt("fr", holder=holder))
    assert ARABIC_NAME in _text(pdf)


def test_a_latin_only_page_has_no_replacement_text():
    assert _actual_texts(render.render_filing_receipt(receipt("fr"))) == []


@pytest.mark.parametrize(("renderer", "make"), RENDERERS, ids=RENDERER_IDS)
def test_the_same_data_gives_the_same_bytes(renderer, make):
    first = hashlib.sha256(renderer(make("ar"))).hexdigest()
    renderer(make("fr"))
    assert hashlib.sha256(renderer(make("ar"))).hexdigest() == first
    assert renderer(make("ar", dossier_number="2026-75-000124")) != renderer(make("ar"))


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize(("renderer", "make"), RENDERERS, ids=RENDERER_IDS)
def test_the_qr_code_decodes_to_the_signed_token(renderer, make, language):
    pdf = renderer(make(language))
    codes = _qr_codes(pdf)
    assert [_qr_token(code.text) for code in codes] == [TOKEN]
    page_width = 2 * render.PAGE_WIDTH
    x = codes[0].position.top_left.x
    # At the start of the line: on the left in French, on the right in Arabic.
    assert (x > page_width / 2) is (language == "ar")


@settings(max_examples=12, deadline=None)
@given(st.text(alphabet="ABCXYZabcxyz0189-_.", min_size=1, max_size=700))
def test_any_token_of_a_plausible_length_decodes_from_the_drawn_qr_code(token):
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(200, 200), invariant=1)
    render.draw_qr(canvas, token, x=20, y=20, size=160)
    canvas.showPage()
    canvas.save()
    assert [code.text for code in _qr_codes(buffer.getvalue())] == [token]


def test_the_attestation_states_its_validity_and_the_right_to_work():
    text = _text(render.render_attestation(attestation("fr")))
    assert "31/03/2026" in text
    assert "30/06/2026" in text
    assert "Droit au travail" in text
    assert "Autorise son titulaire à travailler" in text
    assert "01/03/2026 à 10:15 (heure de Paris)" in text


def test_an_attestation_without_the_right_to_work_has_no_such_box():
    text = _text(render.render_attestation(attestation("fr", right_to_work=None)))
    assert "Droit au travail" not in text


def test_times_are_printed_in_paris_time():
    utc_evening = dt.datetime(2026, 7, 1, 22, 30, tzinfo=dt.UTC)
    text = _text(render.render_filing_receipt(receipt("en", filed_at=utc_evening)))
    assert "02/07/2026 at 00:30 (Paris time)" in text


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="aware"):
        render.render_filing_receipt(receipt(filed_at=dt.datetime(2026, 3, 1, 10, 15)))  # noqa: DTZ001


def test_the_proof_of_attempt_tells_what_failed_and_its_reference():
    text = _text(render.render_proof_of_attempt(attempt("en")))
    assert "INC-2026-0042" in text
    assert "Filing failed: the document service did not answer." in text


def test_the_proof_of_attempt_may_have_no_dossier_number():
    text = _text(render.render_proof_of_attempt(attempt("en", dossier_number=None)))
    assert "Application number" not in text
    assert CODE in text


def test_optional_holder_facts_are_left_out():
    holder = Holder(full_name="Ana SILVA")
    text = _text(render.render_filing_receipt(receipt("en", holder=holder)))
    assert "Ana SILVA" in text
    assert "Date of birth" not in text
    assert "Foreigner number" not in text


def test_every_document_is_listed():
    text = _text(render.render_filing_receipt(receipt("fr")))
    assert "Passeport (pages d'identité)" in text
    assert "passeport.pdf" in text
    assert "photo.jpg" in text


def test_a_long_list_of_documents_still_fits_on_one_page():
    documents = tuple(
        DocumentLine(name=f"Pièce numéro {i}", file_name=f"piece-{i}.pdf") for i in range(80)
    )
    pdf = render.render_filing_receipt(receipt("fr", documents=documents))
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1
    text = _text(pdf)
    assert "Pièce numéro 0" in text
    shown = len(re.findall(r"piece-\d+\.pdf", text))
    assert 25 <= shown < 80
    assert f"+{80 - shown}" in text
    assert [_qr_token(code.text) for code in _qr_codes(pdf)] == [TOKEN]


@given(st.text(alphabet="abc déf  ghijklmnop محمد علي-/", max_size=300))
def test_wrapped_lines_fit_and_keep_every_word(text):
    width = 120.0
    lines = render.wrap(text, render.SANS, 10, width)
    render.register_fonts()
    for line in lines:
        drawn = arabic_reshaper.reshape(line)
        assert stringWidth(drawn, render.SANS, 10) <= width or len(line) == 1
    assert "".join(lines).replace(" ", "") == "".join(text.split())


def test_the_embedded_fonts_are_subsets_of_the_shipped_dejavu_sans():
    pdf = render.render_attestation(attestation("ar"))
    fonts = set(re.findall(rb"/BaseFont /([A-Z]{6}\+[\w-]+)", pdf))
    assert fonts == {b"AAAAAA+DejaVuSans", b"AAAAAA+DejaVuSans-Bold"}
    assert b"/FontFile2" in pdf


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_documents_of_other_holders_reuse_the_font_subsets_made_once(language):
    pdf_fonts.register()
    render.render_filing_receipt(receipt(language))
    before = _subset_cache_counts()
    for name in ("Fatoumata DIALLO", "Jean-Loïc PÉREZ", "Karim EL AMRANI"):
        holder = dataclasses.replace(_holder(language), full_name=name)
        pdf = render.render_filing_receipt(receipt(language, holder=holder))
        assert name in _text(pdf)
    after = _subset_cache_counts()
    hits, misses = after[0] - before[0], after[1] - before[1]
    assert misses == 0
    assert hits >= 3


def test_a_rare_letter_is_added_to_the_subsets_and_reads_back():
    # Vietnamese letters are not among those every document takes first.
    name = "Nguyễn Thị HƯƠNG"
    pdf = render.render_filing_receipt(receipt("fr", holder=Holder(full_name=name)))
    assert name in _text(pdf)
    # The next document, without them, is laid out as if they had never been seen.
    plain = render.render_filing_receipt(receipt("fr"))
    assert name not in _text(plain)
    assert _holder("fr").full_name in _text(plain)


def _subset_cache_counts() -> tuple[int, int]:
    infos = [
        pdfmetrics.getFont(name).face.subset_file.cache_info()
        for name in (pdf_fonts.SANS, pdf_fonts.SANS_BOLD)
    ]
    return sum(info.hits for info in infos), sum(info.misses for info in infos)


def test_a_fact_without_a_value_is_left_out():
    text = _text(render.render_filing_receipt(receipt("en", permit_type="")))
    assert "Permit applied for" not in text
    assert "Procedure" in text


# The decision letter.

LONG_GROUND = (
    "Vous ne justifiez pas de ressources stables et suffisantes au sens de l'article L.433-2 "
    "du CESEDA : les bulletins de salaire fournis couvrent moins de six mois sur les douze "
    "derniers, et l'attestation de l'employeur ne précise ni la durée ni le montant de la "
    "rémunération. "
)
# Ten grounds of some 1,400 letters each, each ending on its own reference.
LONG_GROUNDS = tuple(f"Motif {n}. {LONG_GROUND * 5}(réf. M{n:02d})" for n in range(1, 11))


def _page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _body_text(pdf: bytes, data: DecisionLetterData) -> str:
    """Every page's text run together, less the compact headers and the page numbers."""
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    header = {
        data.labels.republic.upper(),
        data.labels.dossier_number,
        data.dossier_number,
        data.title,
    }
    lines = []
    for number, page in enumerate(pages, start=1):
        for line in page.extract_text().splitlines():
            flat = _flat(line)
            if flat == f"{number}/{len(pages)}" or (number > 1 and flat in header):
                continue
            lines.append(flat)
    return " ".join(lines)


def _char_boxes(pdf: bytes) -> list[list[tuple[float, float, float, float]]]:
    """Each page's drawn characters, as (left, bottom, right, top) boxes."""
    pages = []
    for page in pypdfium2.PdfDocument(pdf):
        text = page.get_textpage()
        boxes = [text.get_charbox(i) for i in range(text.count_chars())]
        pages.append([box for box in boxes if box[2] > box[0]])
    return pages


def _assert_laid_out_within_the_page(pdf: bytes) -> None:
    """No character off the page's margins, and none over the last page's QR code."""
    pages = _char_boxes(pdf)
    for boxes in pages:
        for left, bottom, right, top in boxes:
            assert render.MARGIN - 1 <= left <= right <= render.PAGE_WIDTH - render.MARGIN + 1
            assert render.FOOTER_Y - 4 <= bottom <= top <= render.PAGE_HEIGHT - render.MARGIN + 1
    qr_top = render.BOTTOM + render.QR_SIZE
    qr_left = render.MARGIN - 6  # French: at the left
    for left, bottom, right, _top in pages[-1]:
        assert not (bottom < qr_top and left < qr_left + render.QR_SIZE and right > qr_left)


def test_a_french_refusal_states_its_grounds_and_remedies():
    data = letter("fr")
    pdf = render.render_decision_letter(data)
    assert _page_count(pdf) == 1
    text = _flat(_text(pdf))
    assert DOSSIER in text
    assert "Décision de refus de titre de séjour" in text
    assert "Votre demande de titre de séjour est refusée, pour les motifs ci-dessous." in text
    assert "Décision prise le 30/04/2026 à 16:40 (heure de Paris)" in text
    assert "Demande déposée le 01/03/2026 à 10:15 (heure de Paris)" in text
    assert "Motifs" in text
    assert "Voies et délais de recours" in text
    assert "Vous ne justifiez pas de ressources stables" in text
    assert "Votre contrat de travail n'a pas reçu" in text
    assert "Vous ne présentez pas le visa" in text
    assert "dans un délai de deux mois à compter de la notification" in text
    assert "dans un délai de trente jours à compter de la notification" in text
    assert "Pour le préfet et par délégation Claire MARTIN" in text
    assert "1/1" not in text  # a single page has no page numbers
    _assert_laid_out_within_the_page(pdf)


def test_the_grounds_come_before_the_remedies_and_the_signature():
    text = _flat(_text(render.render_decision_letter(letter("en"))))
    order = [
        "Your application is refused",
        "Grounds",
        "You do not show stable",
        "Your employment contract",
        "You do not hold",
        "How to challenge this decision",
        "within two months",
        "within thirty days",
        "For the prefect",
        "Claire MARTIN",
        CODE,
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)


def test_an_arabic_letter_reads_right_to_left_in_logical_order():
    data = letter("ar")
    pdf = render.render_decision_letter(data)
    assert reader_lang(pdf) == "ar"
    assert ARABIC_NAME in _text(pdf)
    written = _actual_texts(pdf)
    assert ARABIC_NAME in written
    assert data.title in written
    assert data.outcome_text in written
    for paragraph in (*data.reasons, *data.remedies):
        assert paragraph in written
    assert "طرق الطعن في هذا القرار" in written
    # The QR code at the start of the line: on the right.
    [code] = _qr_codes(pdf)
    assert code.position.top_left.x > render.PAGE_WIDTH


def reader_lang(pdf: bytes) -> str:
    return str(pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"])


def test_a_favourable_decision_has_no_grounds_nor_remedies_headings():
    data = letter("en", title="Favourable decision", outcome_text="Your application is approved.")
    text = _flat(
        _text(render.render_decision_letter(dataclasses.replace(data, reasons=(), remedies=())))
    )
    assert "Your application is approved." in text
    assert "Grounds" not in text
    assert "How to challenge this decision" not in text
    assert "For the prefect" in text


def test_a_letter_without_a_signatory_still_renders():
    labels = dataclasses.replace(ENGLISH, prefecture_signature="")
    data = letter("en", labels=labels, agent_name="")
    text = _flat(_text(render.render_decision_letter(data)))
    assert "within thirty days" in text
    assert CODE in text


def test_blank_grounds_are_left_out():
    data = letter("en", reasons=("  ", ""), remedies=())
    text = _flat(_text(render.render_decision_letter(data)))
    assert "Grounds" not in text
    assert "•" not in text


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_long_letter_flows_onto_more_pages_without_losing_text(language):
    data = letter(language, reasons=LONG_GROUNDS)
    pdf = render.render_decision_letter(data)
    pages = _page_count(pdf)
    assert pages >= 2
    body = _body_text(pdf, data)
    assert "(réf. M10)" in body  # the last ground's last word
    # Every ground whole, in order, though the pages break inside them.
    positions = [body.index(_flat(ground)) for ground in LONG_GROUNDS]
    assert positions == sorted(positions)
    for remedy in data.remedies:
        if language == "fr":
            assert _flat(remedy) in body
    assert "Claire MARTIN" in body
    all_text = _flat(
        " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    )
    for number in range(1, pages + 1):
        assert f"{number}/{pages}" in all_text


def test_the_following_pages_repeat_the_header_compactly_and_the_last_closes_the_letter():
    data = letter("fr", reasons=LONG_GROUNDS)
    pdf = render.render_decision_letter(data)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    *first_pages, last = [_flat(page.extract_text()) for page in reader.pages]
    for number, text in enumerate(first_pages[1:], start=2):
        assert text.startswith("RÉPUBLIQUE FRANÇAISE")
        assert f"Numéro de dossier {DOSSIER}" in text or f"{DOSSIER} Numéro de dossier" in text
        assert data.title in text
        assert "Délivrée le" not in text
        assert CODE not in text
        assert _qr_codes(pdf, number - 1) == []
    assert "Délivrée le" in first_pages[0]
    assert _qr_codes(pdf, 0) == []
    # The verification block, the legal mention and the signature close the last page.
    assert CODE in last
    assert TEXTS["fr"]["legal"] in last
    assert "Claire MARTIN" in last
    assert [_qr_token(code.text) for code in _qr_codes(pdf, len(reader.pages) - 1)] == [TOKEN]
    # The signature is never alone: the end of the remedies comes with it.
    assert "trente jours" in last
    _assert_laid_out_within_the_page(pdf)


def test_a_long_letter_gives_the_same_bytes_each_time():
    data = letter("ar", reasons=LONG_GROUNDS)
    first = render.render_decision_letter(data)
    assert render.render_decision_letter(letter("fr")) != first
    assert render.render_decision_letter(data) == first
    assert (
        render.render_decision_letter(dataclasses.replace(data, agent_name="Paul DURAND")) != first
    )


@settings(max_examples=10, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=2_500), max_size=12),
    st.lists(st.integers(min_value=0, max_value=600), max_size=3),
)
def test_any_letter_keeps_every_word_on_its_pages(ground_lengths, remedy_lengths):
    words = ["recours", "délai", "préfet", "tribunal", "notification", "ressources", "séjour"]

    def paragraph(prefix: str, n: int, length: int) -> str:
        body = " ".join(words[(n + i) % len(words)] for i in range(length // 8))
        return f"{prefix}{n} {body} fin{prefix}{n}"

    reasons = tuple(paragraph("G", n, length) for n, length in enumerate(ground_lengths))
    remedies = tuple(paragraph("R", n, length) for n, length in enumerate(remedy_lengths))
    data = letter("fr", reasons=reasons, remedies=remedies)
    pdf = render.render_decision_letter(data)
    body = _body_text(pdf, data)
    positions = [body.index(_flat(text)) for text in (*reasons, *remedies)]
    assert positions == sorted(positions)
    assert "Claire MARTIN" in body
    _assert_laid_out_within_the_page(pdf)
    assert [_qr_token(code.text) for code in _qr_codes(pdf, _page_count(pdf) - 1)] == [TOKEN]


def _units(draw) -> list[render._Unit]:
    heights = draw(st.lists(st.floats(min_value=5, max_value=120), min_size=1, max_size=60))
    glued = draw(st.lists(st.booleans(), min_size=len(heights), max_size=len(heights)))
    return [
        render._Unit(height=height, draw=lambda page, y: None, glued=glue)
        for height, glue in zip(heights, glued, strict=True)
    ]


@given(st.data())
def test_pagination_keeps_order_margins_and_glue(data):
    units = data.draw(st.composite(lambda draw: _units(draw))())
    floor, last_floor, first_top = render.BOTTOM, 220.0, 500.0
    pages = render._paginate(units, first_top=first_top, floor=floor, last_floor=last_floor)
    placed = [(unit, y, number) for number, page in enumerate(pages) for unit, y in page]
    assert [unit for unit, _y, _number in placed] == units
    assert all(page for page in pages)
    for number, page in enumerate(pages):
        y = first_top if number == 0 else render.CONTINUED_TOP
        for unit, unit_y in page:
            assert unit_y == y
            y -= unit.height
            assert y >= floor  # never below the foot of the page
    last_unit, last_y, _ = placed[-1]
    assert last_y - last_unit.height >= last_floor  # room for the closing block
    # A chain of glued units breaks only when it starts the letter or is taller than a page.
    chains: list[list[int]] = []
    for i, unit in enumerate(units):
        if unit.glued and chains:
            chains[-1].append(i)
        else:
            chains.append([i])
    for chain in chains:
        if len({placed[i][2] for i in chain}) > 1:
            bottom = last_floor if chain is chains[-1] else floor
            height = sum(units[i].height for i in chain)
            assert chain[0] == 0 or height > render.CONTINUED_TOP - bottom
