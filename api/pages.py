"""The token page (/account/tokens/): a user makes, names, scopes and revokes their personal
API tokens; a new token's secret is shown once, in the answer to the POST that made it."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from api import services
from api.models import ApiToken
from core.htmx import HtmxHttpRequest


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=80,
        help_text=gettext_lazy("What the token is for, e.g. “Invoicing sync”."),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Access"),
        choices=[
            ("read", gettext_lazy("Read only")),
            ("write", gettext_lazy("Read and write")),
        ],
        initial="read",
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HtmxHttpRequest):
    form = TokenForm(request.POST or None)
    secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, secret = services.token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    read_only=form.cleaned_data["scope"] == "read",
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                form = TokenForm()
        if secret is None:
            status = 400
    tokens = ApiToken.objects.filter(user=request.user)
    response = render(
        request,
        "api/token_list.html",
        {"form": form, "secret": secret, "tokens": tokens},
        status=status,
    )
    # The secret is in this answer only: never kept by a cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke(request: HtmxHttpRequest, pk: int):
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    try:
        services.token_revoke(token=token, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens")
