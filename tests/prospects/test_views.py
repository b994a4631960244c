import codecs
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from contacts.models import Company, ExtraField, Prospect
from pipeline.models import Opportunity
from pipeline.services.opportunities import LOSS_REASON_REQUIRED
from prospects.importing import INVALID_EMAIL, INVALID_PHONE
from prospects.models import ImportJob
from tests import factories as f
from tests.prospects.test_paste import MANUAL_EXAMPLE

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def hx(target):
    return {**HX, "HTTP_HX_TARGET": target}


@pytest.fixture
def prospects(rep, other_rep, default_process):
    now = timezone.now()
    red = f.OpportunityFactory(
        prospect=f.ProspectFactory(owner=rep, last_name="ROUGE", company_name="Red SA"),
        owner=rep,
        next_action_at=now - dt.timedelta(days=2),
        action_colour="red",
    )
    green = f.OpportunityFactory(
        prospect=f.ProspectFactory(owner=other_rep, last_name="VERT", company_name="Green SA"),
        owner=other_rep,
        next_action_at=now + dt.timedelta(days=2),
        action_colour="green",
    )
    return red.prospect, green.prospect


def test_list_shows_prospects_with_their_opportunity_and_the_ctrl_k_link(
    rep_client, prospects, default_process
):
    response = rep_client.get("/prospects/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "ROUGE" in html and "VERT" in html
    assert f'href="/pipeline/{default_process.pk}/board/" data-ctrl-k' in html
    assert 'data-colour="red"' in html


def test_list_search_and_filters_run_in_sql(rep_client, rep, prospects):
    red, green = prospects
    assert "VERT" not in rep_client.get("/prospects/?q=roug").content.decode()
    html = rep_client.get("/prospects/?colour=green").content.decode()
    assert "VERT" in html and "ROUGE" not in html
    html = rep_client.get("/prospects/?owner=me").content.decode()
    assert "ROUGE" in html and "VERT" not in html
    html = rep_client.get("/prospects/?status=won").content.decode()
    assert "ROUGE" not in html and "VERT" not in html


def test_list_htmx_returns_the_rows_partial(rep_client, prospects):
    response = rep_client.get("/prospects/?q=vert", **hx("prospect-rows"))
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="prospect-rows">')
    assert "<html" not in html


def test_list_sorting(rep_client, prospects):
    html = rep_client.get("/prospects/?sort=-company").content.decode()
    assert html.index("Red SA") < html.index("Green SA")
    html = rep_client.get("/prospects/?sort=company").content.decode()
    assert html.index("Green SA") < html.index("Red SA")


def test_list_query_count_does_not_grow_with_rows(
    rep_client, rep, default_process, django_assert_max_num_queries
):
    for _ in range(3):
        f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep), owner=rep)
    with django_assert_max_num_queries(20) as small:
        rep_client.get("/prospects/")
    for _ in range(30):
        prospect = f.ProspectFactory(owner=rep)
        f.OpportunityFactory(prospect=prospect, owner=rep)
        prospect.categories.add(f.CategoryFactory(name="Hot"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        rep_client.get("/prospects/?per_page=100")


def test_panel_shows_opportunities_and_actions(rep_client, prospects):
    red, _green = prospects
    f.TaskFactory(prospect=red, title="Call back Rouge", assignee=red.owner)
    response = rep_client.get(f"/prospects/{red.pk}/panel/", **HX)
    html = response.content.decode()
    assert escape(red.opportunities.get().summary) in html
    task_panel = reverse("task_panel") + f"?prospect={red.pk}"
    assert f'hx-get="{task_panel}"' in html
    assert "Call back Rouge" in rep_client.get(task_panel, **HX).content.decode()


def test_rep_sees_only_own_when_configured(rep_client, prospects, settings):
    settings.REPS_SEE_ONLY_OWN = True
    _red, green = prospects
    assert rep_client.get(f"/prospects/{green.pk}/").status_code == 404
    assert rep_client.get(f"/prospects/{green.pk}/panel/").status_code == 404
    assert "VERT" not in rep_client.get("/prospects/").content.decode()


def test_rep_cannot_change_someone_elses_prospect(rep_client, prospects):
    _red, green = prospects
    response = rep_client.post(f"/prospects/{green.pk}/", {"tab": "details", "last_name": "Hacked"})
    assert response.status_code == 403
    assert rep_client.post(f"/prospects/{green.pk}/add-to-contacts/").status_code == 403
    green.refresh_from_db()
    assert green.last_name == "VERT"


@pytest.mark.parametrize("tab", ["project", "details", "extra", "tasks", "history"])
def test_card_tabs_full_page_and_partial(rep_client, prospects, tab):
    red, _green = prospects
    ExtraField.objects.create(label="Nb camions", type=ExtraField.Type.NUMBER)
    full = rep_client.get(f"/prospects/{red.pk}/?tab={tab}")
    assert full.status_code == 200
    assert "record-stamp" in full.content.decode()
    partial = rep_client.get(f"/prospects/{red.pk}/?tab={tab}", **hx("prospect-tab"))
    html = partial.content.decode()
    assert f'data-current-tab="{tab}"' in html and "<html" not in html


def details_payload(prospect, **changes):
    data = {
        "tab": "details",
        "civility": prospect.civility,
        "last_name": prospect.last_name,
        "first_name": prospect.first_name,
        "company_name": prospect.company_name,
        "email": "rouge@red.fr",
        "phone": "01 88 33 44 55",
        "city": prospect.city,
        "country": "France",
        "version": prospect.version,
        "owner": prospect.owner_id or "",
    }
    data.update(changes)
    return data


def test_details_save_and_stale_version_refused_with_current_values(rep_client, prospects):
    red, _green = prospects
    seen = red.version
    response = rep_client.post(
        f"/prospects/{red.pk}/", details_payload(red, city="Lyon", version=seen)
    )
    assert response.status_code == 302
    red.refresh_from_db()
    assert red.city == "Lyon"
    assert red.phone == "+33188334455"
    response = rep_client.post(
        f"/prospects/{red.pk}/", details_payload(red, city="Paris", version=seen)
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "data-conflict" in html
    assert 'value="Lyon"' in html  # the current value is in the form
    assert "Paris" in html  # what the user typed is shown, not lost
    red.refresh_from_db()
    assert red.city == "Lyon"


def test_extra_fields_tab_saves(rep_client, prospects):
    red, _green = prospects
    trucks = ExtraField.objects.create(label="Nb camions", type=ExtraField.Type.NUMBER)
    brand = ExtraField.objects.create(label="Marque camion", type=ExtraField.Type.TEXT)
    response = rep_client.post(
        f"/prospects/{red.pk}/",
        {
            "tab": "extra",
            f"extra_{trucks.pk}": "22",
            f"extra_{brand.pk}": "Bertiet",
            "version": red.version,
        },
    )
    assert response.status_code == 302
    red.refresh_from_db()
    assert red.extra == {str(trucks.pk): 22.0, str(brand.pk): "Bertiet"}


def test_new_prospect_with_paste_fills_the_form_without_saving(rep_client):
    response = rep_client.post(
        "/prospects/new/", {"action": "paste", "text": MANUAL_EXAMPLE}, **hx("prospect-form")
    )
    html = response.content.decode()
    for value in (
        "Albert",
        "RIGOLLAUD",
        "SOFAR and C°",
        "contact@sofar.fr",
        "89 avenue des ternes",
        "Paris",
        "France",
        "75017",
        "0188334455",
    ):
        assert f'value="{value}"' in html, value
    assert not Prospect.objects.exists()
    assert "jalon:message" in response["HX-Trigger"]
    # Without htmx the whole page comes back, filled.
    page = rep_client.post("/prospects/new/", {"action": "paste", "text": MANUAL_EXAMPLE})
    assert 'value="RIGOLLAUD"' in page.content.decode()


def test_new_prospect_saves(rep_client, rep):
    response = rep_client.post(
        "/prospects/new/",
        {"last_name": "Rigollaud", "company_name": "SOFAR", "phone": "0188334455", "owner": rep.pk},
    )
    prospect = Prospect.objects.get()
    assert response.status_code == 302 and response["Location"] == prospect.get_absolute_url()
    assert prospect.owner == rep and prospect.phone == "+33188334455"


def test_new_prospect_refuses_bad_phone(rep_client):
    response = rep_client.post("/prospects/new/", {"last_name": "X", "phone": "12"})
    assert response.status_code == 200
    assert str(INVALID_PHONE) in response.content.decode()
    assert not Prospect.objects.exists()


def test_bulk_actions(rep_client, rep, other_rep, prospects):
    red, green = prospects
    category = f.CategoryFactory(name="Hot")
    rep_client.post(
        "/prospects/bulk/",
        {"ids": [red.pk, green.pk], "action": "categorize", "category": category.pk},
    )
    assert list(red.categories.all()) == [category] and not green.categories.exists()
    rep_client.post(
        "/prospects/bulk/", {"ids": [red.pk], "action": "assign", "owner": other_rep.pk}
    )
    red.refresh_from_db()
    assert red.owner == other_rep
    response = rep_client.post("/prospects/bulk/", {"ids": [red.pk], "action": "delete"})
    assert response.status_code == 302
    assert Prospect.objects.filter(pk=red.pk).exists()  # bruno's now: alice may not delete it


def test_opportunity_card_and_status_change(rep_client, rep, prospects):
    red, _green = prospects
    opportunity = red.opportunities.get()
    assert rep_client.get(f"/opportunities/{opportunity.pk}/").status_code == 200
    data = {
        "summary": "Maintenance",
        "status": "lost",
        "step": opportunity.step_id or "",
        "amount": "1000",
        "probability": opportunity.probability,
        "rating": 3,
        "owner": rep.pk,
        "version": opportunity.version,
    }
    response = rep_client.post(f"/opportunities/{opportunity.pk}/", data)
    assert response.status_code == 422
    assert str(LOSS_REASON_REQUIRED) in response.content.decode()
    opportunity.refresh_from_db()
    assert opportunity.status == "open"
    reason = f.LossReasonFactory(name="Too expensive")
    response = rep_client.post(
        f"/opportunities/{opportunity.pk}/", {**data, "loss_reason": reason.pk}
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.status == "lost" and opportunity.closing_date == timezone.localdate()
    assert opportunity.summary == "Maintenance"


def test_lines_through_htmx(rep_client, prospects):
    red, _green = prospects
    opportunity = red.opportunities.get()
    response = rep_client.post(
        f"/opportunities/{opportunity.pk}/lines/",
        {
            "item": "Machine",
            "quantity": "50",
            "unit_cost": "0",
            "unit_price": "1000",
            "discount": "0",
        },
        **HX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="opportunity-lines"' in html
    opportunity.refresh_from_db()
    assert opportunity.amount == Decimal("50000.00")
    line = opportunity.lines.get()
    assert rep_client.get(f"/opportunities/lines/{line.pk}/", **HX).status_code == 200
    rep_client.post(
        f"/opportunities/lines/{line.pk}/",
        {
            "item": "Machine",
            "quantity": "2",
            "unit_cost": "0",
            "unit_price": "1000",
            "discount": "10",
        },
        **HX,
    )
    opportunity.refresh_from_db()
    assert opportunity.amount == Decimal("1800.00")
    rep_client.post(f"/opportunities/lines/{line.pk}/delete/", **HX)
    opportunity.refresh_from_db()
    assert opportunity.amount == Decimal("0") and not opportunity.lines.exists()


def test_new_opportunity_from_the_card(rep_client, prospects, default_process):
    red, _green = prospects
    response = rep_client.post(
        f"/prospects/{red.pk}/opportunities/new/",
        {"summary": "Second project", "process": default_process.pk, "amount": "500"},
    )
    opportunity = Opportunity.objects.get(summary="Second project")
    assert response["Location"] == opportunity.get_absolute_url()
    assert opportunity.prospect == red and opportunity.amount == Decimal("500")


def test_add_to_contacts_and_import_a_contact(rep_client, prospects):
    red, _green = prospects
    Prospect.objects.filter(pk=red.pk).update(email="rouge@red.fr")
    rep_client.post(f"/prospects/{red.pk}/add-to-contacts/")
    red.refresh_from_db()
    assert red.company.name == "Red SA"
    person = f.PersonFactory(last_name="Nouveau", email="nouveau@example.fr")
    page = rep_client.get("/prospects/import-contact/?q=nouv")
    assert "NOUVEAU" in page.content.decode()
    assert (
        rep_client.get("/prospects/import-contact/?q=nouv", **hx("people-results")).status_code
        == 200
    )
    response = rep_client.post("/prospects/import-contact/", {"person": person.pk})
    prospect = Prospect.objects.get(person=person)
    assert response["Location"] == prospect.get_absolute_url()


TRASH_OF_PROSPECTS = "/trash/?kind=prospect"


def test_delete_all_and_trash_are_for_managers(rep_client, client, manager, prospects):
    assert rep_client.get("/prospects/delete-all/").status_code == 403
    assert rep_client.post("/prospects/delete-all/", {"confirmation": "DELETE"}).status_code == 403
    assert rep_client.get(TRASH_OF_PROSPECTS).status_code == 403
    assert Prospect.objects.count() == 2
    client.force_login(manager)
    response = client.post("/prospects/delete-all/", {"confirmation": "delete"})
    assert response.status_code == 422 and Prospect.objects.count() == 2
    response = client.post("/prospects/delete-all/", {"confirmation": "DELETE"})
    assert response["Location"] == TRASH_OF_PROSPECTS
    assert Prospect.objects.count() == 0
    html = client.get(TRASH_OF_PROSPECTS).content.decode()
    assert "ROUGE" in html
    batch = Prospect.all_objects.values_list("deleted_at", flat=True).first()
    assert "2 records deleted at once" in html and "Restore all of them" in html
    client.post(reverse("trash_restore"), {"batch": batch.isoformat(), "filter": "prospect"})
    assert Prospect.objects.count() == 2
    assert Opportunity.objects.count() == 2


def test_restore_one_from_the_trash(client, manager, prospects):
    red, _green = prospects
    client.force_login(manager)
    client.post("/prospects/delete-all/", {"confirmation": "DELETE"})
    client.post(reverse("trash_restore"), {"kind": "prospect", "pk": red.pk})
    assert list(Prospect.objects.all()) == [red]


def test_the_former_trash_address_leads_to_the_trash_page(client, rep, manager):
    for user in (rep, manager):
        client.force_login(user)
        response = client.get(reverse("prospect_trash"))
        assert response.status_code == 301
        assert response["Location"] == TRASH_OF_PROSPECTS
    assert client.get(reverse("prospect_trash"), follow=True).status_code == 200  # the manager
    assert client.post(reverse("prospect_trash")).status_code == 405


# --------------------------------------------------------------------------- import / export


def upload(client, name, content, **extra):
    """POST the file, then run the reading of its header row it queued on commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            "/prospects/import/", {"file": SimpleUploadedFile(name, content), **extra}
        )


CSV = "Nom;Prénom;Société;Courriel;Téléphone;Potentiel\nHisson;Paul;Euro Transports;paul@euro.fr;0188334455;20 000\nDupont;Jean;Acme;broken@;;\n"


@pytest.fixture
def post_and_run(django_capture_on_commit_callbacks):
    """POST, then run the tasks it queued on commit (as the end of a real request does)."""

    def _post(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return _post


def test_import_wizard_check_then_valid_only(rep_client, rep, default_process, post_and_run):
    response = upload(rep_client, "salon.csv", CSV.encode("cp1252"))
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("prospect_import_job", args=[job.pk])
    page = rep_client.get(response["Location"]).content.decode()
    assert 'value="last_name" selected' in page and 'value="amount" selected' in page
    mapping = {
        f"col_{i}": target
        for i, target in enumerate(
            ["last_name", "first_name", "company_name", "email", "phone", "amount"]
        )
    }
    post_and_run(rep_client, response["Location"], {**mapping, "action": "check"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED and job.valid == 1 and job.refused == 1
    page = rep_client.get(response["Location"]).content.decode()
    assert str(INVALID_EMAIL) in page
    assert not Prospect.objects.exists()
    report = b"".join(
        rep_client.get(reverse("prospect_import_report", args=[job.pk])).streaming_content
    )
    assert report.startswith(codecs.BOM_UTF8) and not report[3:].startswith(codecs.BOM_UTF8)
    assert b"\n3;" in report and b"broken@" in report
    # All or nothing: refused, nothing written.
    post_and_run(rep_client, response["Location"], {**mapping, "action": "import"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.REFUSED and not Prospect.objects.exists()
    # Valid rows only.
    post_and_run(
        rep_client, response["Location"], {**mapping, "action": "check", "valid_only": "on"}
    )
    post_and_run(
        rep_client, response["Location"], {**mapping, "action": "import", "valid_only": "on"}
    )
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.created == 1
    prospect = Prospect.objects.get()
    assert prospect.last_name == "Hisson" and prospect.opportunities.get().amount == Decimal(
        "20000"
    )
    status = rep_client.get(response["Location"], **hx("import-status")).content.decode()
    assert 'data-state="done"' in status


def test_import_mapping_is_editable(rep_client, default_process, post_and_run):
    response = upload(rep_client, "x.csv", b"Col A;Col B\nDupont;Lyon\n")
    post_and_run(
        rep_client, response["Location"], {"col_0": "last_name", "col_1": "city", "action": "check"}
    )
    post_and_run(
        rep_client,
        response["Location"],
        {"col_0": "last_name", "col_1": "city", "action": "import"},
    )
    prospect = Prospect.objects.get()
    assert (prospect.last_name, prospect.city) == ("Dupont", "Lyon")


def test_import_refuses_unreadable_and_other_users_jobs(
    rep_client, client, other_rep, default_process
):
    response = upload(rep_client, "x.xlsx", b"PK\x03\x04 not really a workbook")
    assert response.status_code == 422
    response = upload(rep_client, "x.pdf", b"%PDF")
    assert response.status_code == 422
    response = upload(rep_client, "x.csv", b"Nom\nDupont\n")
    client.force_login(other_rep)
    assert client.get(response["Location"]).status_code == 404


def test_export_csv_is_exactly_the_filtered_list_with_bom(rep_client, prospects):
    response = rep_client.get("/prospects/export/?format=csv&colour=red")
    content = b"".join(response.streaming_content)
    assert content.startswith(codecs.BOM_UTF8)
    text = content.decode("utf-8-sig")
    assert "ROUGE" in text and "VERT" not in text
    assert response["Content-Type"].startswith("text/csv")


def test_export_import_round_trip(rep_client, rep, prospects, default_process, tmp_path, settings):
    from prospects.imports import prospects_import

    red, green = prospects
    hot = f.CategoryFactory(name="Hot")
    trucks = ExtraField.objects.create(label="Nb camions", type=ExtraField.Type.NUMBER)
    channel = f.ChannelFactory(name="Trade show")
    Prospect.objects.filter(pk=red.pk).update(
        email="rouge@red.fr",
        phone="+33188334455",
        birth_date=dt.date(1980, 5, 17),
        siren="732829320",
        channel=channel,
        direct_approach=True,
        extra={str(trucks.pk): 22.0},
        notes="Line one\nLine two",
    )
    Prospect.objects.filter(pk=green.pk).update(
        email="vert@green.fr",
        phone="+33188483644",
        last_name="-VERT",
        company_name='=HYPERLINK("http://x","Green")',
        job_title="@buyer",
    )
    red.categories.add(hot)
    fields = [
        "civility",
        "first_name",
        "last_name",
        "company_name",
        "job_title",
        "email",
        "phone",
        "address",
        "postal_code",
        "city",
        "country",
        "birth_date",
        "siren",
        "channel_id",
        "direct_approach",
        "owner_id",
        "extra",
        "notes",
    ]
    before = sorted(Prospect.objects.values_list(*fields))
    opportunities_before = sorted(
        Opportunity.objects.values_list(
            "prospect__email", "summary", "amount", "probability", "expected_date"
        )
    )
    for export_format in ("csv", "xlsx"):
        response = rep_client.get(f"/prospects/export/?format={export_format}")
        content = b"".join(response.streaming_content) if response.streaming else response.content
        path = tmp_path / f"export.{export_format}"
        path.write_bytes(content)
        Prospect.objects.all().delete()
        report = prospects_import(path=path, actor=rep)
        assert report.refused == 0, report.refused_rows
        assert sorted(Prospect.objects.values_list(*fields)) == before
        assert list(Prospect.objects.get(email="rouge@red.fr").categories.all()) == [hot]
        after = sorted(
            Opportunity.objects.values_list(
                "prospect__email", "summary", "amount", "probability", "expected_date"
            )
        )
        assert after == opportunities_before


FORMULA = '=HYPERLINK("http://evil.example","Click")'


def test_export_csv_guards_text_a_spreadsheet_would_run(rep_client, prospects):
    red, _green = prospects
    Prospect.objects.filter(pk=red.pk).update(last_name=FORMULA, phone="+33188334455", notes="-1+2")
    response = rep_client.get("/prospects/export/?colour=red")
    assert response.streaming and response["Content-Disposition"].startswith(
        'attachment; filename="prospects-'
    )
    content = b"".join(response.streaming_content)
    assert content.startswith(codecs.BOM_UTF8) and not content[3:].startswith(codecs.BOM_UTF8)
    header, line = csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
    assert line[header.index("Last name")] == "'" + FORMULA
    assert line[header.index("Phone")] == "'+33188334455"
    assert line[header.index("Notes")] == "'-1+2"
    assert line[header.index("Amount")] == str(
        red.opportunities.get().amount
    )  # numbers stay numbers


def test_export_xlsx_stores_text_as_text_never_as_a_formula(rep_client, prospects):
    red, _green = prospects
    Prospect.objects.filter(pk=red.pk).update(last_name=FORMULA, phone="+33188334455", city="#N/A")
    response = rep_client.get("/prospects/export/?format=xlsx&colour=red")
    content = b"".join(response.streaming_content)
    assert b"<f>" not in content and b"<f " not in content
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.max_row == 2
    header = [cell.value for cell in sheet[1]]
    cells = {header[cell.column - 1]: cell for cell in sheet[2]}
    assert cells["Last name"].data_type == "s" and cells["Last name"].value == FORMULA
    assert cells["Last name"].quotePrefix  # Excel keeps it text when the cell is edited
    assert cells["Phone"].data_type == "s" and cells["Phone"].value == "+33188334455"
    assert cells["City"].data_type == "s" and cells["City"].value == "#N/A"
    assert cells["Company"].value == "Red SA" and not cells["Company"].quotePrefix
    assert cells["Amount"].data_type == "n"
    cached = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    assert FORMULA in next(cached.iter_rows(min_row=2, max_row=2, values_only=True))


def test_export_xlsx_opens(rep_client, prospects):
    response = rep_client.get("/prospects/export/?format=xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Civility", "Last name", "First name")
    assert len(rows) == 3


def test_export_command(rep, prospects, tmp_path, capsys):
    from django.core.management import call_command

    out = tmp_path / "p.csv"
    call_command("export_prospects", "-o", str(out))
    assert out.read_bytes().startswith(codecs.BOM_UTF8)
    call_command("export_prospects", "--format", "xlsx", "-o", str(tmp_path / "p.xlsx"))
    assert load_workbook(tmp_path / "p.xlsx").active.max_row == 3


def test_anonymous_is_sent_to_login(client):
    for url in (
        "/prospects/",
        "/prospects/new/",
        "/prospects/import/",
        "/prospects/export/",
        "/prospects/trash/",
    ):
        assert client.get(url).status_code == 302


def test_company_link_shown_on_card(rep_client, prospects):
    red, _green = prospects
    company = Company.objects.create(name="Red SA")
    Prospect.objects.filter(pk=red.pk).update(company=company)
    assert "data-linked" in rep_client.get(f"/prospects/{red.pk}/").content.decode()


def test_import_progress_bar_polls_while_the_task_runs(rep_client, default_process):
    response = upload(rep_client, "x.csv", b"Nom\nDupont\n")
    ImportJob.objects.update(state=ImportJob.State.RUNNING, task_id="")
    html = rep_client.get(response["Location"], **hx("import-status")).content.decode()
    assert 'hx-trigger="every 1s"' in html and "<progress" in html
    # A second start while it runs is refused.
    rep_client.post(response["Location"], {"col_0": "last_name", "action": "import"})
    assert ImportJob.objects.get().state == ImportJob.State.RUNNING


def test_sort_by_next_action_and_amount(rep_client, prospects):
    html = rep_client.get("/prospects/?sort=next_action").content.decode()
    assert html.index("ROUGE") < html.index("VERT")  # overdue first
    html = rep_client.get("/prospects/?sort=-next_action").content.decode()
    assert html.index("VERT") < html.index("ROUGE")
    assert rep_client.get("/prospects/?sort=-amount").status_code == 200
    assert rep_client.get("/prospects/?sort=expected").status_code == 200


# --- the user's scope on opportunities, redirects, shared history, rights split, probability


@pytest.fixture
def shared_prospect(rep, other_rep, default_process, settings):
    """A prospect owned by nobody with one opportunity of bruno's: alice sees the prospect only."""
    settings.REPS_SEE_ONLY_OWN = True
    prospect = f.ProspectFactory(owner=None, last_name="COMMUN")
    f.OpportunityFactory(
        prospect=prospect, owner=other_rep, summary="Secret deal of Bruno", amount=Decimal("987654")
    )
    return prospect


def test_list_panel_and_card_leave_out_opportunities_the_user_may_not_see(
    rep_client, shared_prospect
):
    pk = shared_prospect.pk
    pages = [
        rep_client.get("/prospects/").content.decode(),
        rep_client.get("/prospects/?sort=-amount").content.decode(),
        rep_client.get(f"/prospects/{pk}/panel/", **HX).content.decode(),
        rep_client.get(f"/prospects/{pk}/").content.decode(),
    ]
    assert "COMMUN" in pages[0]
    for html in pages:
        assert "Secret deal of Bruno" not in html
        assert "987" not in html


def test_manager_still_sees_every_opportunity_of_the_prospect(manager_client, shared_prospect):
    assert (
        "Secret deal of Bruno"
        in manager_client.get(f"/prospects/{shared_prospect.pk}/").content.decode()
    )


@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example", "/\\evil.example"])
@pytest.mark.parametrize("valid", [True, False])
def test_bulk_action_never_redirects_off_site(rep_client, prospects, evil, valid):
    red, _green = prospects
    data = {"action": "assign", "ids": [red.pk], "next": evil} if valid else {"next": evil}
    response = rep_client.post("/prospects/bulk/", data)
    assert response.status_code == 302
    assert response["Location"] == reverse("prospect_list")


def test_bulk_action_follows_a_local_next(rep_client, prospects):
    red, _green = prospects
    response = rep_client.post(
        "/prospects/bulk/", {"action": "assign", "ids": [red.pk], "next": "/prospects/?page=2"}
    )
    assert response["Location"] == "/prospects/?page=2"


def test_cards_embed_the_shared_history_and_task_panels(rep_client, rep, other_rep, prospects):
    red, _green = prospects
    opportunity = red.opportunities.get()
    html = rep_client.get(f"/prospects/{red.pk}/?tab=history").content.decode()
    assert f'hx-get="{reverse("history_panel")}?prospect={red.pk}"' in html
    html = rep_client.get(f"/prospects/{red.pk}/?tab=tasks").content.decode()
    assert f'hx-get="{reverse("task_panel")}?prospect={red.pk}"' in html
    html = rep_client.get(opportunity.get_absolute_url()).content.decode()
    assert f'hx-get="{reverse("history_panel")}?opportunity={opportunity.pk}"' in html
    assert f'hx-get="{reverse("task_panel")}?opportunity={opportunity.pk}"' in html


def test_owner_changes_show_in_the_shared_history(rep_client, rep, other_rep, prospects):
    """Owner changes recorded by the prospect services (of the prospect and of its opportunity)."""
    from prospects import services

    red, _green = prospects
    opportunity = red.opportunities.get()
    services.prospects_assign(prospect_ids=[red.pk], owner=None, actor=rep)
    services.prospect_update(
        prospect_id=red.pk, actor=rep, data={"owner": rep}, expected_version=None
    )
    html = rep_client.get(reverse("history_panel") + f"?prospect={red.pk}", **HX).content.decode()
    assert html.count("Alice Durand → —") == 2  # the prospect's and the opportunity's
    assert "— → Alice Durand" in html
    html = rep_client.get(
        reverse("history_panel") + f"?opportunity={opportunity.pk}", **HX
    ).content.decode()
    assert "Alice Durand → —" in html


@pytest.fixture
def locked_opportunity(rep):
    """Alice's opportunity in a process only managers may modify."""
    process = f.ProcessFactory(steps=[("Contact", 3, 20)])
    process.modify_groups.add(f.manager_group())
    return f.OpportunityFactory(
        prospect=f.ProspectFactory(owner=rep), process=process, summary="Locked deal"
    )


def test_opportunity_card_without_the_process_modify_right_is_read_only(
    rep_client, locked_opportunity
):
    opportunity = locked_opportunity
    html = rep_client.get(opportunity.get_absolute_url()).content.decode()
    assert "Locked deal" in html
    assert 'type="submit">Save' not in html
    assert reverse("opportunity_line_add", args=[opportunity.pk]) not in html
    assert 'name="summary"' in html and "disabled" in html
    response = rep_client.post(
        opportunity.get_absolute_url(),
        {
            "summary": "Changed",
            "status": "open",
            "probability": 20,
            "amount": 1,
            "rating": 0,
            "interest": "",
        },
    )
    assert response.status_code == 403
    assert (
        rep_client.post(
            reverse("opportunity_line_add", args=[opportunity.pk]), {"item": "X", "quantity": 1}
        ).status_code
        == 403
    )
    assert (
        rep_client.post(opportunity.get_absolute_url(), {"action": "follow_step"}).status_code
        == 403
    )
    opportunity.refresh_from_db()
    assert opportunity.summary == "Locked deal" and not opportunity.lines.exists()


def test_opportunity_card_of_the_process_is_editable_by_a_manager(
    manager_client, locked_opportunity
):
    html = manager_client.get(locked_opportunity.get_absolute_url()).content.decode()
    assert reverse("opportunity_line_add", args=[locked_opportunity.pk]) in html


def test_opportunity_card_says_where_the_probability_comes_from(rep_client, rep):
    process = f.ProcessFactory(steps=[("Contact", 3, 40)])
    opportunity = f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep), process=process)
    html = rep_client.get(opportunity.get_absolute_url()).content.decode()
    assert 'data-probability-manual="0"' in html and "follows the step" in html
    Opportunity.objects.filter(pk=opportunity.pk).update(probability=75, probability_is_manual=True)
    html = rep_client.get(opportunity.get_absolute_url()).content.decode()
    assert 'data-probability-manual="1"' in html and "set by hand" in html and "40 %" in html
    assert 'name="action" value="follow_step"' in html
    response = rep_client.post(
        opportunity.get_absolute_url(), {"action": "follow_step", "version": opportunity.version}
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.probability, opportunity.probability_is_manual) == (40, False)
    assert opportunity.history.filter(kind="probability").exists()


def test_filters_and_export_leave_out_opportunities_the_user_may_not_see(
    rep_client, shared_prospect
):
    assert "COMMUN" not in rep_client.get("/prospects/?status=open").content.decode()
    export = b"".join(rep_client.get("/prospects/export/").streaming_content).decode("utf-8-sig")
    assert "COMMUN" in export and "Secret deal of Bruno" not in export and "987654" not in export


def test_import_a_contact_is_followed_by_the_importer_and_refuses_invalid_data_cleanly(
    rep_client, rep, other_rep
):
    person = f.PersonFactory(
        last_name="Martin", first_name="Luc", email="luc@acme.fr", owner=other_rep
    )
    response = rep_client.post(reverse("prospect_import_contact"), {"person": person.pk})
    prospect = Prospect.objects.get(person=person)
    assert response.status_code == 302 and prospect.owner == rep

    broken = f.PersonFactory(last_name="Durand", first_name="Eve", email="eve@acme.fr")
    type(broken).objects.filter(pk=broken.pk).update(email="not-an-e-mail")
    response = rep_client.post(
        reverse("prospect_import_contact"), {"person": broken.pk}, follow=True
    )
    assert response.status_code == 200
    assert not Prospect.objects.filter(person=broken).exists()
    assert "error" in [message.level_tag for message in response.context["messages"]]

    assert rep_client.post(reverse("prospect_import_contact"), {"person": "abc"}).status_code == 404
