from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from contacts.models import Company, Person


@login_required
@require_GET
def company_list(request):
    companies = Company.objects.visible_to(request.user).select_related("owner")[:100]
    return render(request, "contacts/company_list.html", {"companies": companies})


@login_required
@require_GET
def person_list(request):
    people = Person.objects.visible_to(request.user)[:100]
    return render(request, "contacts/person_list.html", {"people": people})
