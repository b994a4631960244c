"""What an admin change page posts when saved as shown: built from its form's and its inlines'
initial data, management forms included (tests change a few values, then post)."""

from django import forms


def _put(data: dict, bound) -> None:
    field, value, name = bound.field, bound.value(), bound.html_name
    if isinstance(field, forms.BooleanField):
        if value:
            data[name] = "on"
    elif isinstance(field.widget, forms.MultiWidget):
        parts = field.widget.decompress(value)
        for i, (widget, part) in enumerate(zip(field.widget.widgets, parts, strict=True)):
            data[f"{name}_{i}"] = "" if part is None else widget.format_value(part) or ""
    elif isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        data[name] = [str(v) for v in value or []]
    elif isinstance(value, (list, tuple)):
        data[name] = [str(v) for v in value]
    else:
        data[name] = "" if value is None else field.widget.format_value(value) or ""


def admin_form_data(response) -> dict:
    """The POST data of the admin add/change page `response` (a GET), unchanged."""
    data: dict = {}
    for bound in response.context["adminform"].form:
        _put(data, bound)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound in formset.management_form:
            data[bound.html_name] = str(bound.value())
        for form in formset.forms:
            for bound in form:
                _put(data, bound)
    return data


def _inline(response, model):
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset
    raise AssertionError(f"no inline of {model.__name__} on the page")


def inline_prefix(response, model) -> str:
    """The form prefix of the inline of `model` on the page."""
    return _inline(response, model).prefix


def add_inline_row(data: dict, response, model, values: dict) -> int:
    """Append to `data` a new row of the inline of `model`, as "Add another" shows it (its
    default values) with `values` typed in; returns the row's index."""
    formset = _inline(response, model)
    index = int(data[f"{formset.prefix}-TOTAL_FORMS"])
    row: dict = {}
    for bound in formset.empty_form:
        _put(row, bound)
    for key, value in row.items():
        data[key.replace("__prefix__", str(index))] = value
    for key, value in values.items():
        data[f"{formset.prefix}-{index}-{key}"] = value
    data[f"{formset.prefix}-TOTAL_FORMS"] = str(index + 1)
    return index


def errors_of(response) -> str:
    """The errors an admin page shows (the form's and its inlines'), as text."""
    form = response.context["adminform"].form
    texts = [str(e) for errors in form.errors.values() for e in errors]
    for inline in response.context["inline_admin_formsets"]:
        texts += [str(e) for e in inline.formset.non_form_errors()]
        for row in inline.formset.errors:
            texts += [str(e) for errors in row.values() for e in errors]
    return " ".join(texts)
