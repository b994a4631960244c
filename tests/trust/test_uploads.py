"""Uploads beyond the size or type limits are refused cleanly: a message, nothing stored."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Document, Prospect
from prospects.models import ImportJob
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(rep):
    return f.CompanyFactory(owner=rep)


def upload_url(target) -> str:
    return reverse(
        "document_upload", args=[ContentType.objects.get_for_model(target).pk, target.pk]
    )


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


REFUSED_DOCUMENTS = {
    "executable": ("setup.exe", b"MZ\x90\x00binary"),
    "html page": ("page.html", b"<script>alert(1)</script>"),
    "svg image": ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    "no extension": ("README", b"text"),
    "double extension": ("invoice.pdf.exe", b"MZ"),
    "empty": ("empty.pdf", b""),
}


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("case", list(REFUSED_DOCUMENTS))
def test_document_of_a_refused_type_is_refused(case, htmx, company, rep_client, media):
    name, content = REFUSED_DOCUMENTS[case]
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = rep_client.post(
        upload_url(company),
        {"file": SimpleUploadedFile(name, content)},
        follow=not htmx,
        HTTP_ACCEPT_LANGUAGE="en",
        **headers,
    )
    assert response.status_code == 200
    text = response.content.decode() + response.headers.get("HX-Trigger", "")
    assert any(
        word in text for word in ("cannot be attached", "is empty", "empty", "Allowed types")
    ), text[-500:]
    assert not Document.objects.exists()
    assert not stored_files(media)


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_document_over_the_size_limit_is_refused(htmx, company, rep_client, media, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = rep_client.post(
        upload_url(company),
        {"file": SimpleUploadedFile("big.pdf", b"%PDF" + b"x" * 2000)},
        follow=not htmx,
        HTTP_ACCEPT_LANGUAGE="en",
        **headers,
    )
    assert response.status_code == 200
    text = response.content.decode() + response.headers.get("HX-Trigger", "")
    assert "too large" in text
    assert not Document.objects.exists()
    assert not stored_files(media)


def test_document_within_the_limits_is_stored_and_downloaded_as_an_attachment(
    company, rep_client, media, settings
):
    settings.DOCUMENT_MAX_BYTES = 1024
    rep_client.post(upload_url(company), {"file": SimpleUploadedFile("../../notes.txt", b"hello")})
    document = Document.objects.get()
    assert ".." not in document.file.name
    assert document.file.path.startswith(str(media))
    response = rep_client.get(reverse("document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        b"".join(response.streaming_content if response.streaming else [response.content])
        == b"hello"
    )


REFUSED_IMPORTS = {
    "executable": ("list.exe", b"MZ\x90\x00"),
    "pdf": ("list.pdf", b"%PDF-1.4"),
    "fake xlsx": ("list.xlsx", b"this is not a zip file"),
    "binary csv": ("list.csv", b"\x00\xff\xfe\x00\x01\x02" * 50),
    "empty": ("list.csv", b""),
    "no header": ("list.csv", b"\n\n\n"),
}


@pytest.mark.parametrize("case", list(REFUSED_IMPORTS))
def test_import_file_of_a_refused_type_or_unreadable_is_refused(case, rep_client, media):
    name, content = REFUSED_IMPORTS[case]
    response = rep_client.post(
        reverse("prospect_import"),
        {"file": SimpleUploadedFile(name, content)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    rep_client.raise_request_exception = False
    if response.status_code == 302:
        # Read as text with odd headers: the wizard goes on, and its check refuses the rows.
        job = ImportJob.objects.get()
        assert rep_client.get(response["Location"]).status_code == 200
        checked = rep_client.post(response["Location"], {"action": "check"}, follow=True)
        assert checked.status_code == 200
        job.refresh_from_db()
        assert job.state != ImportJob.State.DONE
    else:
        assert response.status_code in (200, 400, 422), response.status_code
        assert (
            'class="errorlist' in response.content.decode() or "error" in response.content.decode()
        )
        assert not ImportJob.objects.exists()
    assert not Prospect.objects.exists()


def test_import_file_over_the_size_limit_is_refused(rep_client, media, settings):
    settings.IMPORT_MAX_BYTES = 1024
    content = b"Nom;Prenom\n" + b"Dupont;Jean\n" * 200
    response = rep_client.post(
        reverse("prospect_import"),
        {"file": SimpleUploadedFile("list.csv", content)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert "too large" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not stored_files(media)
