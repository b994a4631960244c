"""Form pieces every app uses."""

from django import forms

from core.users import active_users, user_label


class VersionField(forms.CharField):
    """The version a form was loaded with, kept as sent: the service reads it with
    `core.versions.check_version`, which refuses junk as stale (never a form error on a
    hidden field)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class VersionedForm(forms.ModelForm):
    """Carries the version the user saw, so that a stale save is refused (see `core.versions`)
    instead of overwriting someone else's change."""

    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UserChoiceField(forms.ModelChoiceField):
    """A pick among the active users, labelled by their names."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", active_users())
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return user_label(obj)
