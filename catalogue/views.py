"""The catalogue pages: the list every user reads, the form managers fill in, and the search
that the opportunity lines' product picker asks as the user types."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from catalogue import services
from catalogue.forms import ProductFilter, ProductForm
from catalogue.models import Product
from catalogue.selectors import products_to_pick
from core.conflicts import stale_response
from core.htmx import HtmxHttpRequest
from core.roles import is_manager
from core.versions import ConcurrentEdit

PAGE_SIZE = 50


def _manager_or_403(request) -> None:
    if not is_manager(request.user):
        raise PermissionDenied


@login_required
@require_GET
def product_list(request: HtmxHttpRequest):
    filterset = ProductFilter(
        request.GET or None, queryset=Product.objects.select_related("family")
    )
    products = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = Paginator(products.order_by("code"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "catalogue/product_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#rows"
    return render(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "may_manage": is_manager(request.user),
        },
    )


def _product_form_page(request, form, product=None):
    return render(request, "catalogue/product_form.html", {"form": form, "product": product})


@login_required
@require_http_methods(["GET", "POST"])
def product_create(request: HtmxHttpRequest):
    _manager_or_403(request)
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Product %(code)s created.") % {"code": product.code})
            return redirect("product_list")
    return _product_form_page(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request: HtmxHttpRequest, pk: int):
    _manager_or_403(request)
    product = get_object_or_404(Product, pk=pk)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_update(
                product_id=product.pk,
                actor=request.user,
                data=form.cleaned_data,
                seen=form.cleaned_data.get("seen"),
            )
        except ConcurrentEdit as conflict:
            current = ProductForm(instance=conflict.current)
            return stale_response(
                request,
                "catalogue/product_form.html",
                {"form": current, "product": conflict.current},
                error=conflict,
                typed=form,
                current=current,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Product %(code)s saved.") % {"code": product.code})
            return redirect("product_list")
    return _product_form_page(request, form, product)


@login_required
@require_GET
def product_search(request: HtmxHttpRequest):
    """The active products matching `q` (code or label, accents and case ignored), as the
    choices the line form's picker shows."""
    query = request.GET.get("q", "")[:100]
    return render(
        request,
        "catalogue/_product_choices.html",
        {"products": products_to_pick(query), "query": query},
    )
