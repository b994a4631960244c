"""The company and person lists' rows (`templates/contacts/company_list.html` and
`person_list.html`), read and written once in Python (issue 20).

A page reads only the columns the user shows, as `.values()` dicts (no model instance: the
company's owner and default address come in the same row, by joins), and each row is written
as one `<tr>` by `format_html`, which escapes every value: the template writes the page's rows
as they are, rather than running some twenty tags and lookups per row.
"""

from django.contrib.auth import get_user_model
from django.db.models import F, FilteredRelation, Q, QuerySet
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from contacts.models import Affiliation, Company
from contacts.templatetags.contacts_tags import phone_link
from contacts.text import person_name
from core.rows import url_format
from core.users import user_label

# --------------------------------------------------------------------------- companies

# The cells of a company row, in the order of the list's columns (contacts.apps); a cell's
# placeholders are the keys `company_rows` fills.
COMPANY_CELLS = {
    "name": '<td class="col-name company-name-cell"><a class="cut" href="{url}" '
    'title="{title}"><strong>{name}</strong>{acronym}</a>{sub}</td>',
    "kind": '<td class="col-desk"><span class="badge {kind_badge}">{kind}</span></td>',
    "postal_code": '<td class="col-p2">{postal_code}</td>',
    "city": '<td class="col-desk col-city"><span class="cut" title="{city}">{city}</span></td>',
    "phone": "<td>{phone}</td>",
    "email": '<td class="col-p3 col-email">{email}</td>',
    "siren": '<td class="col-p4">{siren}</td>',
    "last_contact": '<td class="col-p4 col-date">{last}</td>',
    "next_contact": '<td class="col-p2 col-date">{next}</td>',
    "owner": '<td class="col-desk col-owner"><span class="cut" title="{owner}">{owner}</span></td>',
}

# What each column reads (the name column: the id, name, acronym, active flag and the default
# address, for the postal code and city written under the name).
COMPANY_FIELDS = {
    "kind": ("kind",),
    "phone": ("phone", "country"),
    "email": ("email",),
    "siren": ("siren",),
    "last_contact": ("last_contact_at", "last_contact_type"),
    "next_contact": ("next_contact_at", "next_contact_type"),
    "owner": ("owner_id", "owner__first_name", "owner__last_name", "owner__username"),
}


def company_values(queryset: QuerySet, shown) -> QuerySet:
    """`queryset` as the dicts the shown columns need: one query, the default address (at most
    one per company, constraint `one_default_address`) and the owner joined."""
    fields = ["pk", "name", "acronym", "active"]
    for column, names in COMPANY_FIELDS.items():
        if column in shown:
            fields += names
    return queryset.annotate(
        default_address=FilteredRelation("addresses", condition=Q(addresses__is_default=True))
    ).values(
        *fields,
        postal_code=F("default_address__postal_code"),
        city=F("default_address__city"),
    )


def _row_format(cells: dict[str, str], shown, opening: str) -> str:
    return opening + "".join(cell for column, cell in cells.items() if column in shown) + "</tr>"


def _email_link(email: str) -> SafeString | str:
    if not email:
        return ""
    return format_html('<a class="cut" href="mailto:{}" title="{}">{}</a>', email, email, email)


def dated(value, kind: str = "") -> tuple[str, str]:
    """A list's date cell: the short local date, and its hover text (the whole date and time,
    then the kind of contact); ("", "") for no date. As the templates' `date` filter writes
    them, in the active language."""
    if not value:
        return "", ""
    local = timezone.localtime(value)
    title = date_filter(local, "j F Y H:i")
    return date_filter(local, "d/m/y"), f"{title} · {kind}" if kind else title


def _dated_cell(value, kind: str) -> SafeString | str:
    text, title = dated(value, kind)
    return format_html('<span title="{}">{}</span>', title, text) if text else ""


MUTED = format_html(' class="{}"', "muted")


def company_rows(companies, shown) -> list[SafeString]:
    """The rows of `companies` (`company_values` dicts), each a `<tr>` with the shown cells:
    texts, dates and links formatted here once, the detail URL reversed once for the page."""
    row_format = _row_format(COMPANY_CELLS, shown, '<tr data-company="{pk}"{muted}>')
    detail_url = url_format("company_detail")
    kinds = {value: str(label) for value, label in Company.Kind.choices}
    owners: dict[int | None, str] = {}
    with_postal_code, with_city = "postal_code" in shown, "city" in shown
    rows = []
    for company in companies:
        pk, name, acronym = company["pk"], company["name"], company["acronym"]
        postal_code, city = company["postal_code"] or "", company["city"] or ""
        values = {
            "pk": pk,
            "muted": "" if company["active"] else MUTED,
            "url": detail_url.format(pk),
            "name": name,
            "title": f"{name} ({acronym})" if acronym else name,
            "acronym": format_html(' <span class="muted small">({})</span>', acronym)
            if acronym
            else "",
            # Under the name when the city column is shown (narrow screens hide the column).
            "sub": format_html(
                '<span class="cut muted small name-sub">{}</span>',
                f"{postal_code} {city}" if with_postal_code else city,
            )
            if city and with_city
            else "",
            "postal_code": postal_code,
            "city": city,
        }
        if "kind" in shown:
            kind = company["kind"]
            values["kind"] = kinds.get(kind, kind)
            values["kind_badge"] = "badge-green" if kind == "customer" else "badge-primary"
        if "phone" in shown:
            values["phone"] = phone_link(company["phone"], company["country"])
        if "email" in shown:
            values["email"] = _email_link(company["email"])
        if "siren" in shown:
            values["siren"] = company["siren"]
        if "last_contact" in shown:
            values["last"] = _dated_cell(company["last_contact_at"], company["last_contact_type"])
        if "next_contact" in shown:
            values["next"] = _dated_cell(company["next_contact_at"], company["next_contact_type"])
        if "owner" in shown:
            owner_id = company["owner_id"]
            if owner_id not in owners:
                owners[owner_id] = _owner_label(company)
            values["owner"] = owners[owner_id]
        rows.append(format_html(row_format, **values))
    return rows


def _owner_label(company: dict) -> str:
    """`user_label` of the row's owner, "—" for none (as the template filter writes it)."""
    if company["owner_id"] is None:
        return "—"
    return user_label(
        get_user_model()(
            first_name=company["owner__first_name"],
            last_name=company["owner__last_name"],
            username=company["owner__username"],
        )
    )


# --------------------------------------------------------------------------- people

PERSON_CELLS = {
    "name": '<td class="col-name"><a class="cut" href="{url}" title="{name}"><strong>{name}'
    "</strong></a>{sub}</td>",
    "job_title": '<td class="col-p2 col-job"><span class="cut" title="{job_title}">{job_title}'
    "</span></td>",
    "department": '<td class="col-p3 col-job"><span class="cut" title="{department}">'
    "{department}</span></td>",
    "companies": '<td class="col-desk col-wrap">{companies}</td>',
    "email": '<td class="col-p3 col-email">{email}</td>',
    "phone": "<td>{phone}</td>",
    "mobile": "<td>{mobile}</td>",
    "mailing": '<td class="col-p2">{mailing}</td>',
}

PERSON_FIELDS = {
    "job_title": ("job_title",),
    "department": ("department",),
    "email": ("email",),
    "phone": ("phone",),
    "mobile": ("mobile",),
    "mailing": ("mailing_opt_in",),
}


def person_values(queryset: QuerySet, shown) -> QuerySet:
    """`queryset` as the dicts the shown columns need (the companies column: `person_rows`)."""
    fields = ["pk", "first_name", "last_name", "active"]
    for column, names in PERSON_FIELDS.items():
        if column in shown:
            fields += names
    return queryset.values(*fields)


def person_rows(people, shown) -> list[SafeString]:
    """The rows of `people` (`person_values` dicts), each a `<tr>` with the shown cells (see
    `company_rows`); the companies column reads the page's links in one query."""
    people = list(people)
    row_format = _row_format(PERSON_CELLS, shown, '<tr data-person="{pk}"{muted}>')
    person_url = url_format("person_detail")
    links: dict[int, list[tuple[str, str]]] = {}
    if "companies" in shown and people:
        company_url = url_format("company_detail")
        for person_id, company_id, company_name in Affiliation.objects.filter(
            person_id__in=[person["pk"] for person in people]
        ).values_list("person_id", "company_id", "company__name"):  # in the links' order
            links.setdefault(person_id, []).append((company_url.format(company_id), company_name))
    if "mailing" in shown:
        mailing = {
            True: format_html('<span class="badge badge-green">{}</span>', _("yes")),
            False: format_html('<span class="badge">{}</span>', _("no")),
        }
    rows = []
    for person in people:
        pk = person["pk"]
        values = {
            "pk": pk,
            "muted": "" if person["active"] else MUTED,
            "url": person_url.format(pk),
            "name": person_name(person["first_name"], person["last_name"]),
            "sub": "",
        }
        if "job_title" in shown:
            job_title = values["job_title"] = person["job_title"]
            if job_title:
                values["sub"] = format_html(
                    '<span class="cut muted small name-sub">{}</span>', job_title
                )
        if "department" in shown:
            values["department"] = person["department"]
        if "companies" in shown:
            values["companies"] = format_html_join(", ", '<a href="{}">{}</a>', links.get(pk, ()))
        if "email" in shown:
            values["email"] = _email_link(person["email"])
        if "phone" in shown:
            values["phone"] = phone_link(person["phone"])
        if "mobile" in shown:
            values["mobile"] = phone_link(person["mobile"])
        if "mailing" in shown:
            values["mailing"] = mailing[person["mailing_opt_in"]]
        rows.append(format_html(row_format, **values))
    return rows
