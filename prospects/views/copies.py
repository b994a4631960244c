"""Copy a prospect into another process (Prextra's "Copier dans", `prospects.copies`)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from contacts.models import Prospect
from core.access import get_visible_or_404
from core.htmx import HtmxHttpRequest
from core.sentences import sentence
from pipeline.models import Process
from pipeline.rights import can_modify_process_opportunities
from pipeline.services.opportunities import MoveRefused
from prospects.copies import processes_of, prospect_copy_to_process


class ProcessChoiceForm(forms.Form):
    process = forms.ModelChoiceField(
        label=gettext_lazy("Process"), queryset=Process.objects.none(), empty_label=None
    )

    def __init__(self, *args, processes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process"].queryset = processes


def _processes(user, prospect):
    """The active processes the user may add opportunities to (`opportunity_create`'s right),
    but those the prospect is already in (`prospect_copy_to_process`'s rule)."""
    processes = (
        Process.objects.filter(active=True)
        .exclude(pk__in=processes_of(prospect, user))
        .order_by("name", "id")
    )
    allowed = [p.pk for p in processes if can_modify_process_opportunities(user, p)]
    return Process.objects.filter(pk__in=allowed).order_by("name", "id")


@login_required
@require_http_methods(["GET", "POST"])
def prospect_copy(request: HtmxHttpRequest, pk: int):
    """GET: the process to copy into; POST process=<id>: the copy, then its card."""
    prospect = get_visible_or_404(Prospect.objects.all(), request.user, pk=pk)
    form = ProcessChoiceForm(request.POST or None, processes=_processes(request.user, prospect))
    if request.method == "POST" and form.is_valid():
        process = form.cleaned_data["process"]
        try:
            copy = prospect_copy_to_process(prospect=prospect, process=process, actor=request.user)
        except MoveRefused as refusal:
            form.add_error("process", refusal.message)
        except ValidationError as refusal:
            form.add_error("process", refusal)
        else:
            messages.success(
                request,
                sentence(
                    _("%(prospect)s copied into the process “%(process)s”.")
                    % {"prospect": copy, "process": process.name}
                ),
            )
            return redirect(copy)
    return render(
        request,
        "prospects/prospect_copy.html",
        {"prospect": prospect, "form": form},
        status=400 if form.errors else 200,
    )
