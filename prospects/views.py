from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from prospects.models import Prospect


@login_required
@require_GET
def prospect_list(request):
    prospects = Prospect.objects.visible_to(request.user).select_related("owner")[:100]
    return render(request, "prospects/prospect_list.html", {"prospects": prospects})
