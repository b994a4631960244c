import codecs
import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contacts import attachments, services
from contacts.models import Address, Company, Document, Note, Person, PostalCode
from tests import factories as f

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def company(rep):
    company = services.company_create(actor=rep, data={"name": "Dupont SA", "phone": "0142685300"})
    services.address_create(
        company=company,
        actor=rep,
        data={"line1": "1 rue A", "postal_code": "35000", "city": "Rennes"},
    )
    return company


def test_company_list_and_quick_search(rep_client, rep, company, django_assert_max_num_queries):
    for i in range(15):
        c = services.company_create(actor=rep, data={"name": f"Other {i}"})
        services.address_create(
            company=c, actor=rep, data={"line1": "x", "postal_code": "75001", "city": "Paris"}
        )
    # 8: with the user's chosen columns (core/columns.py); the default address is joined.
    with django_assert_max_num_queries(8):
        response = rep_client.get(reverse("company_list"))
    assert response.status_code == 200
    assert b'id="rows"' in response.content and b"Dupont SA" in response.content
    response = rep_client.get(reverse("company_list"), {"q": "dup 35"}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="rows">')
    assert "Dupont SA" in html and "Other 1" not in html
    assert "<body" not in html
    # Phone shown in national format.
    assert "01 42 68 53 00" in rep_client.get(reverse("company_list")).content.decode()


def test_company_list_filters(rep_client, rep, company, other_rep):
    services.company_create(actor=other_rep, data={"name": "Bruno Corp"})
    html = rep_client.get(reverse("company_list"), {"owner": other_rep.pk}).content.decode()
    assert "Bruno Corp" in html and "Dupont SA" not in html
    html = rep_client.get(reverse("company_list"), {"city": "renn"}).content.decode()
    assert "Dupont SA" in html and "Bruno Corp" not in html
    html = rep_client.get(reverse("company_list"), {"kind": "customer"}).content.decode()
    assert "Dupont SA" not in html


def test_company_create_warns_about_duplicates(rep_client, company):
    data = {
        "name": "DUPONT sa",
        "country": "FR",
        "language": "fr",
        "currency": "EUR",
        "active": "on",
        "address-country": "FR",
    }
    response = rep_client.post(reverse("company_create"), data)
    assert response.status_code == 200
    assert b"Possible duplicates" in response.content
    assert Company.objects.count() == 1
    response = rep_client.post(reverse("company_create"), data | {"confirm_duplicates": "1"})
    assert response.status_code == 302
    assert Company.objects.count() == 2


def test_company_create_with_address_and_field_errors(rep_client, rep):
    data = {
        "name": "Neuve",
        "country": "FR",
        "language": "fr",
        "currency": "EUR",
        "siren": "123456789",
        "phone": "12",
        "naf_code": "62",
        "address-country": "FR",
        "owner": rep.pk,
    }
    response = rep_client.post(reverse("company_create"), data)
    html = response.content.decode()
    assert "This SIREN number is not valid" in html and "This phone number is not valid" in html
    assert "A NAF code is 4 digits" in html
    assert not Company.objects.exists()
    data |= {
        "siren": "542051180",
        "phone": "01 42 68 53 00",
        "naf_code": "6201Z",
        "vat_number": "FR59542051180",
        "address-line1": "3 place X",
        "address-postal_code": "35000",
        "address-city": "Rennes",
    }
    response = rep_client.post(reverse("company_create"), data)
    assert response.status_code == 302
    company = Company.objects.get()
    assert company.phone == "+33142685300" and company.owner == rep
    assert company.default_address.city == "Rennes"


def test_company_create_vat_must_match_siren(rep_client):
    data = {
        "name": "X",
        "country": "FR",
        "language": "fr",
        "currency": "EUR",
        "siren": "542051180",
        "vat_number": "FR44732829320",
        "address-country": "FR",
    }
    response = rep_client.post(reverse("company_create"), data)
    assert b"does not contain this SIREN" in response.content


def test_company_edit_stale_version_shows_current_values(rep_client, rep, company):
    url = reverse("company_edit", args=[company.pk])
    assert rep_client.get(url).status_code == 200
    services.company_update(company=company, actor=rep, data={"sector": "Bakery"}, version=1)
    data = {
        "name": "Dupont SAS",
        "country": "FR",
        "language": "fr",
        "currency": "EUR",
        "sector": "Dairy",
        "active": "on",
        "version": "1",
        "owner": rep.pk,
    }
    response = rep_client.post(url, data)
    html = response.content.decode()
    assert "This record was changed by" in html
    assert "Bakery" in html
    company.refresh_from_db()
    assert company.name == "Dupont SA"
    # Saving again with the version now shown overwrites deliberately.
    response = rep_client.post(url, data | {"version": str(company.version)})
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.name == "Dupont SAS" and company.version == 3


def test_company_edit_refused_to_other_rep(client, other_rep, company):
    client.force_login(other_rep)
    assert client.get(reverse("company_edit", args=[company.pk])).status_code == 403
    assert client.get(reverse("company_detail", args=[company.pk])).status_code == 200


@pytest.mark.parametrize(
    "tab",
    ["identity", "addresses", "contacts", "management", "tasks", "notes", "documents", "history"],
)
def test_company_card_tabs(rep_client, rep, company, tab):
    services.person_create(actor=rep, data={"last_name": "Martin"}, company=company)
    attachments.note_create(target=company, actor=rep, subject="Hello note")
    url = reverse("company_detail", args=[company.pk])
    response = rep_client.get(url, {"tab": tab})
    assert response.status_code == 200
    assert f'data-tab-panel="{tab}"'.encode() in response.content
    partial = rep_client.get(url, {"tab": tab}, HTTP_HX_TARGET="tab-panel", **HTMX)
    assert partial.content.decode().lstrip().startswith('<div id="tab-panel"')
    if tab in ("history", "tasks"):
        # The tab loads the shared panel of the tasks app, which lists the note in the history.
        panel = "history_panel" if tab == "history" else "task_panel"
        assert f"{reverse(panel)}?company={company.pk}".encode() in response.content
        if tab == "history":
            history = rep_client.get(reverse("history_panel"), {"company": company.pk}, **HTMX)
            assert b"Hello note" in history.content


def test_transform_view(rep_client, rep, company):
    url = reverse("company_transform", args=[company.pk])
    response = rep_client.post(url, {"customer_code": "C1"})
    assert b"cannot become a customer yet" in response.content and b"SIREN" in response.content
    services.company_update(
        company=company,
        actor=rep,
        data={"siren": "542051180", "vat_number": "FR59542051180"},
        version=1,
    )
    response = rep_client.post(url, {"customer_code": "C1"})
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.kind == "customer"


def test_address_views(rep_client, company):
    response = rep_client.post(
        reverse("address_create", args=[company.pk]),
        {
            "line1": "9 rue B",
            "postal_code": "29200",
            "city": "Brest",
            "country": "FR",
            "is_default": "on",
        },
    )
    assert response.status_code == 302
    new = Address.objects.get(city="Brest")
    assert new.is_default and Address.objects.filter(company=company, is_default=True).count() == 1
    old = Address.objects.get(city="Rennes")
    rep_client.post(reverse("address_default", args=[old.pk]))
    old.refresh_from_db()
    assert old.is_default
    rep_client.post(reverse("address_delete", args=[old.pk]))
    new.refresh_from_db()
    assert new.is_default


def test_postal_code_suggestions(rep_client):
    PostalCode.objects.bulk_create(
        [PostalCode(code="35000", city="Rennes"), PostalCode(code="35400", city="Saint-Malo")]
    )
    response = rep_client.get(
        reverse("postal_code_suggest"),
        {"address-postal_code": "35000", "list": "city-options"},
        **HTMX,
    )
    html = response.content.decode()
    assert '<datalist id="city-options">' in html and "Rennes" in html and "Saint-Malo" not in html
    assert (
        "Saint-Malo"
        in rep_client.get(reverse("postal_code_suggest"), {"postal_code": "354"}).content.decode()
    )


def test_person_create_shared_and_duplicates(rep_client, rep, company):
    other = services.company_create(actor=rep, data={"name": "Autre"})
    person = services.person_create(
        actor=rep,
        data={"first_name": "Léa", "last_name": "Martin", "email": "lea@example.fr"},
        company=company,
    )
    data = {
        "first_name": "Lea",
        "last_name": "Martin",
        "language": "fr",
        "active": "on",
        "company": other.pk,
        "link-rank": "1",
    }
    response = rep_client.post(reverse("person_create"), data)
    assert b"Possible duplicates" in response.content
    # Instead of a copy, link the existing person.
    response = rep_client.post(
        reverse("company_person_link", args=[other.pk]),
        {"person": person.pk, "rank": "1", "role": "Buyer"},
    )
    assert response.status_code == 302
    assert Person.objects.count() == 1
    assert set(person.companies.all()) == {company, other}


def test_person_card_and_edit(rep_client, rep, company):
    person = services.person_create(
        actor=rep, data={"last_name": "Martin", "mobile": "0612345678"}, company=company
    )
    for tab in ["identity", "companies", "tasks", "notes", "documents", "history"]:
        response = rep_client.get(reverse("person_detail", args=[person.pk]), {"tab": tab})
        assert response.status_code == 200
    assert b"06 12 34 56 78" in rep_client.get(reverse("person_detail", args=[person.pk])).content
    response = rep_client.post(
        reverse("person_edit", args=[person.pk]),
        {"last_name": "Martin", "mobile": "bad", "language": "fr", "version": "1"},
    )
    assert b"This phone number is not valid" in response.content


def test_person_list(rep_client, rep, company, django_assert_max_num_queries):
    for i in range(10):
        services.person_create(actor=rep, data={"last_name": f"Nom{i}"}, company=company)
    # 9: with the user's chosen columns (core/columns.py).
    with django_assert_max_num_queries(9):
        response = rep_client.get(reverse("person_list"))
    assert response.status_code == 200 and b"NOM9" in response.content
    response = rep_client.get(reverse("person_list"), {"q": "nom3"}, **HTMX)
    assert b"NOM3" in response.content and b"NOM4" not in response.content


def test_mailing_export_only_opted_in_active_filtered(rep_client, rep, company):
    services.person_create(
        actor=rep,
        data={"last_name": "Oui", "email": "oui@example.fr", "mailing_opt_in": True},
        company=company,
    )
    services.person_create(
        actor=rep, data={"last_name": "Non", "mailing_opt_in": False}, company=company
    )
    services.person_create(
        actor=rep, data={"last_name": "Inactif", "mailing_opt_in": True, "active": False}
    )
    services.person_create(actor=rep, data={"last_name": "Ailleurs", "mailing_opt_in": True})
    response = rep_client.get(reverse("mailing_export"), {"company": company.pk})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [r[2] for r in rows[1:]] == ["Oui"]
    assert rows[1][5:9] == ["Dupont SA", "1 rue A", "35000", "Rennes"]


@pytest.mark.parametrize(
    "payload", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_mailing_export_defuses_formulas(rep_client, rep, company, payload):
    services.person_create(
        actor=rep,
        company=company,
        data={
            "first_name": payload,
            "last_name": payload,
            "job_title": payload,
            "mailing_opt_in": True,
        },
    )
    Company.objects.filter(pk=company.pk).update(name=payload)

    response = rep_client.get(reverse("mailing_export"), {"company": company.pk})

    assert response.content.startswith(codecs.BOM_UTF8)
    rows = list(
        csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";")
    )
    assert rows[1][1:6] == ["'" + payload, "'" + payload, "'" + payload, "", "'" + payload]


def test_mailing_export_keeps_plain_text(rep_client, rep, company):
    services.person_create(
        actor=rep,
        company=company,
        data={
            "first_name": "Zoé",
            "last_name": 'O\'Neil; "Jr"',
            "job_title": "R&D = lead",
            "mailing_opt_in": True,
        },
    )

    response = rep_client.get(reverse("mailing_export"), {"company": company.pk})

    assert 'filename="mailing.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][1:4] == ["Zoé", 'O\'Neil; "Jr"', "R&D = lead"]


def test_notes_generic_and_reminder_on_dashboard(rep_client, rep, company):
    ct = ContentType.objects.get_for_model(company)
    url = reverse("note_create", args=[ct.pk, company.pk])
    today = timezone.localdate().isoformat()
    response = rep_client.post(
        url, {"subject": "Call back", "text": "x", "date": today, "reminder_date": today}, **HTMX
    )
    assert response.status_code == 200 and b"Call back" in response.content
    note = Note.objects.get()
    assert note.target == company and note.owner == rep
    assert b"Call back" in rep_client.get(reverse("dashboard")).content
    rep_client.post(reverse("note_delete", args=[note.pk]))
    assert not Note.objects.exists()


def test_note_refused_on_record_not_changeable(client, other_rep, company):
    client.force_login(other_rep)
    ct = ContentType.objects.get_for_model(company)
    response = client.post(
        reverse("note_create", args=[ct.pk, company.pk]), {"subject": "x", "date": "2026-01-01"}
    )
    assert response.status_code == 403
    user_ct = ContentType.objects.get(app_label="accounts", model="user")
    assert (
        client.post(
            reverse("note_create", args=[user_ct.pk, other_rep.pk]), {"subject": "x"}
        ).status_code
        == 404
    )


def upload(name="offer.pdf", content=b"%PDF-1.4 demo", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_document_upload_and_download(rep_client, rep, company, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ct = ContentType.objects.get_for_model(company)
    response = rep_client.post(
        reverse("document_upload", args=[ct.pk, company.pk]), {"file": upload()}, **HTMX
    )
    assert response.status_code == 200 and b"offer.pdf" in response.content
    document = Document.objects.get()
    response = rep_client.get(reverse("document_download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 demo"
    assert "attachment" in response["Content-Disposition"]


def test_document_refused_type_and_size(rep, company, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_MAX_BYTES = 10
    with pytest.raises(services.ValidationError) as exc:
        attachments.document_attach(target=company, uploaded_file=upload("virus.exe"), actor=rep)
    assert "Files of type .exe cannot be attached" in exc.value.messages[0]
    with pytest.raises(services.ValidationError) as exc:
        attachments.document_attach(
            target=company, uploaded_file=upload(content=b"x" * 11), actor=rep
        )
    assert "is too large" in exc.value.messages[0]
    assert not Document.objects.exists()


def test_document_upload_error_shown(rep_client, company, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ct = ContentType.objects.get_for_model(company)
    response = rep_client.post(
        reverse("document_upload", args=[ct.pk, company.pk]), {"file": upload("x.exe")}, **HTMX
    )
    assert b"cannot be attached" in response.content


def test_document_download_refused_without_access(client, rep, company, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.REPS_SEE_ONLY_OWN = True
    document = attachments.document_attach(target=company, uploaded_file=upload(), actor=rep)
    stranger = f.RepFactory(username="stranger")
    client.force_login(stranger)
    assert client.get(reverse("document_download", args=[document.pk])).status_code == 404
    client.logout()
    response = client.get(reverse("document_download", args=[document.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_admin_pages(manager_client, company):
    for name in [
        "company",
        "person",
        "address",
        "affiliation",
        "note",
        "document",
        "postalcode",
        "contacttype",
    ]:
        assert (
            manager_client.get(reverse(f"admin:contacts_{name}_changelist"), {"q": "x"}).status_code
            == 200
        )
    assert (
        manager_client.get(reverse("admin:contacts_company_change", args=[company.pk])).status_code
        == 200
    )


def test_quick_search_pages_and_skips_trashed(rep_client, rep, django_assert_max_num_queries):
    for i in range(55):
        services.company_create(actor=rep, data={"name": f"Durand {i:02d}"})
    trashed = services.company_create(actor=rep, data={"name": "Durand trashed"})
    services.company_trash(company=trashed, actor=rep)
    # 6: the session and the user (3), the user's chosen columns (core/columns.py), the sorted
    # word rows (the count and the page's ids at once), the page's companies.
    with django_assert_max_num_queries(6):
        first = rep_client.get(reverse("company_list"), {"q": "dur"}, **HTMX).content.decode()
    assert "55 companies" in first and "Durand 00" in first and "Durand 50" not in first
    second = rep_client.get(
        reverse("company_list"), {"q": "dur", "page": "2"}, **HTMX
    ).content.decode()
    assert "Durand 50" in second and "Durand 54" in second and "trashed" not in second
    beyond = rep_client.get(
        reverse("company_list"), {"q": "dur", "page": "99"}, **HTMX
    ).content.decode()
    assert "Durand 54" in beyond and "Page 2 of 2" in beyond


def test_quick_search_combined_with_filters(rep_client, rep, other_rep, company):
    mine = services.company_create(actor=other_rep, data={"name": "Dupuis"})
    services.address_create(
        company=mine, actor=other_rep, data={"line1": "x", "postal_code": "35200", "city": "Rennes"}
    )
    html = rep_client.get(
        reverse("company_list"), {"q": "dup 35", "owner": other_rep.pk}
    ).content.decode()
    assert "Dupuis" in html and "Dupont SA" not in html


def test_quick_search_when_reps_see_only_their_own(client, rep, other_rep, company, settings):
    settings.REPS_SEE_ONLY_OWN = True
    services.company_create(actor=other_rep, data={"name": "Dupuis"})
    client.force_login(rep)
    html = client.get(reverse("company_list"), {"q": "dup"}).content.decode()
    assert "Dupont SA" in html and "Dupuis" not in html


def test_quick_search_count_is_capped(rep_client, rep, monkeypatch):
    monkeypatch.setattr("contacts.selectors.SEARCH_COUNT_CAP", 10)
    for i in range(12):
        services.company_create(actor=rep, data={"name": f"Martin Martel {i:02d}"})
    html = rep_client.get(reverse("company_list"), {"q": "mar"}, **HTMX).content.decode()
    assert "More than 10 companies" in html
    # Each company has two words starting with "mar" and is still listed once.
    assert html.count('data-company="') == 12
    html = rep_client.get(reverse("company_list"), {"q": "mar 11"}, **HTMX).content.decode()
    assert "1 company" in html and html.count('data-company="') == 1


@pytest.mark.parametrize("htmx", [False, True])
def test_every_page_answers_with_and_without_htmx(rep_client, rep, company, htmx):
    person = services.person_create(actor=rep, data={"last_name": "Martin"}, company=company)
    address = company.addresses.get()
    affiliation = person.affiliations.get()
    headers = HTMX if htmx else {}
    urls = [
        reverse("company_list"),
        reverse("company_create"),
        reverse("company_detail", args=[company.pk]),
        reverse("company_edit", args=[company.pk]),
        reverse("company_transform", args=[company.pk]),
        reverse("address_create", args=[company.pk]),
        reverse("address_edit", args=[address.pk]),
        reverse("company_person_link", args=[company.pk]),
        reverse("company_rep_add", args=[company.pk]),
        reverse("postal_code_suggest"),
        reverse("person_list"),
        reverse("person_create"),
        reverse("person_detail", args=[person.pk]),
        reverse("person_edit", args=[person.pk]),
        reverse("person_company_link", args=[person.pk]),
        reverse("affiliation_edit", args=[affiliation.pk]),
        reverse("mailing_export"),
    ]
    for url in urls:
        assert rep_client.get(url, **headers).status_code == 200, url


def test_writes_refuse_get_and_anonymous(client, rep, company):
    address = company.addresses.get()
    for url in [
        reverse("company_trash", args=[company.pk]),
        reverse("address_delete", args=[address.pk]),
        reverse("address_default", args=[address.pk]),
    ]:
        client.force_login(rep)
        assert client.get(url).status_code == 405
        client.logout()
        assert client.post(url).status_code == 302  # to the login page
    assert Company.objects.filter(pk=company.pk).exists()


def test_other_rep_cannot_change_addresses_or_links(client, rep, other_rep, company):
    person = services.person_create(actor=rep, data={"last_name": "Martin"}, company=company)
    client.force_login(other_rep)
    address = company.addresses.get()
    assert client.post(reverse("address_delete", args=[address.pk])).status_code == 403
    assert (
        client.post(reverse("affiliation_delete", args=[person.affiliations.get().pk])).status_code
        == 403
    )
    assert client.post(reverse("company_trash", args=[company.pk])).status_code == 403
    assert (
        client.post(
            reverse("company_transform", args=[company.pk]), {"customer_code": "X"}
        ).status_code
        == 403
    )
    assert Address.objects.filter(pk=address.pk).exists()


def test_restored_company_is_found_again(rep_client, rep, manager, company):
    from core.trash import record_restore

    services.company_trash(company=company, actor=rep)
    assert "Dupont SA" not in rep_client.get(reverse("company_list"), {"q": "dup"}).content.decode()
    record_restore(obj=Company.all_objects.get(pk=company.pk), actor=manager)
    assert "Dupont SA" in rep_client.get(reverse("company_list"), {"q": "dup"}).content.decode()


@pytest.mark.parametrize(
    "direction, tab, message",
    [
        ("company_person_link", "contacts", "Léa MARTIN linked."),
        ("person_company_link", "companies", "Linked to Durand SARL."),
    ],
)
def test_a_person_and_a_company_link_from_either_card(rep_client, rep, direction, tab, message):
    """Both directions make the same affiliation through the one link page."""
    company = services.company_create(actor=rep, data={"name": "Durand SARL"})
    person = services.person_create(actor=rep, data={"first_name": "Léa", "last_name": "Martin"})
    anchor, other, field = (
        (company, person, "person")
        if direction == "company_person_link"
        else (person, company, "company")
    )
    url = reverse(direction, args=[anchor.pk])
    page = rep_client.get(url).content.decode()
    assert str(anchor) in page and str(other) in page  # the heading, the choice

    response = rep_client.post(url, {field: other.pk, "rank": "1", "role": "Buyer"}, follow=True)

    assert response.redirect_chain[-1][0] == f"{anchor.get_absolute_url()}?tab={tab}"
    assert message in response.content.decode()
    assert person.affiliations.get().company == company
    assert person.affiliations.get().role == "Buyer"
    again = rep_client.post(url, {field: other.pk, "rank": "1"})
    assert again.status_code == 200 and person.affiliations.count() == 1  # no longer offered
