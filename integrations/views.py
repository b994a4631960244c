"""The public web form (/forms/<key>/): the page a customer's site shows in an iframe, and the
address its own HTML form may post to.

No login, no CSRF token (any site may post here: the honeypot, the time stamp and the limit
per address guard it, and the visitor has no session to abuse); framing allowed for this view
only (`frame-ancestors *` and no X-Frame-Options). The page speaks the visitor's browser
language (French or English) and carries nothing of Jalon's interface."""

from urllib.parse import urlsplit

from csp.decorators import csp_replace
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.proxies import client_ip
from integrations.models import WebForm
from integrations.web_forms import CONSENT, TOO_MANY, SubmissionForm, rate_limited, web_form_submit


def _page(request, web_form: WebForm, form=None, *, sent=False, error="", status=200):
    response = render(
        request,
        "integrations/web_form.html",
        {"web_form": web_form, "form": form, "sent": sent, "error": error},
        status=status,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    if web_form.redirect_url:
        # Browsers apply form-action to the redirect after the POST too.
        target = urlsplit(web_form.redirect_url)
        response._csp_update = {"form-action": [f"{target.scheme}://{target.netloc}"]}
    return response


@login_not_required
@csrf_exempt
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def web_form(request: HttpRequest, key: str) -> HttpResponse:
    # The key is the form's address: the lookup is deliberately not scoped to a user.
    found = WebForm.objects.filter(key=key, active=True).select_related("process").first()
    if found is None:
        raise Http404
    if request.method != "POST":
        return _page(request, found, SubmissionForm(web_form=found))
    ip = client_ip(request)
    form = SubmissionForm(request.POST, web_form=found)
    if form.is_spam:
        # Told the same as a person, so that a bot learns nothing; nothing is written.
        return _page(request, found, sent=True)
    if not form.is_valid():
        return _page(request, found, form, status=400)
    # Counted once valid: a person correcting a typo is not held back, and what is refused
    # above writes nothing anyway.
    if rate_limited(ip):
        return _page(request, found, form, error=TOO_MANY, status=429)
    web_form_submit(
        web_form=found,
        values=form.values(),
        consented=bool(form.cleaned_data.get(CONSENT)),
        ip=ip,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    if found.redirect_url:
        return redirect(found.redirect_url)
    return _page(request, found, sent=True)
