"""The review page may show the dossier's PDF files; a file shown inline keeps its own policy."""

import pytest

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    parts = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {name: values for name, *values in parts}


def test_review_page_embeds_files_of_this_origin_only_and_a_file_keeps_its_stricter_policy(
    as_user, people, filed
):
    agent = as_user(people["agent"])
    review = agent.get(f"/en/instruction/{filed.number}/")
    assert _policy(review)["object-src"] == ["'self'"]
    assert _policy(review)["default-src"] == ["'none'"]
    assert _policy(agent.get("/en/instruction/"))["object-src"] == ["'none'"]

    document = filed.documents.first()
    shown = agent.get(f"/en/instruction/{filed.number}/fichiers/{document.pk}/")
    assert shown["Content-Security-Policy"] == (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
