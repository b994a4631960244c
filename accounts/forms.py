"""The account's forms: the login form (username or e-mail) and the user's own settings."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class LoginForm(AllauthLoginForm):
    """allauth's login form, reading the identifier from the `username` field as Jalon's login
    page always posted it (bookmarked forms, scripts, the load tests): allauth calls it `login`.

    The credentials also carry what was typed under `username`, the field django-axes counts
    failures by (AXES_USERNAME_FORM_FIELD), so that a login by e-mail is throttled too."""

    def __init__(self, *args, **kwargs):
        data = kwargs.get("data")
        if data is not None and "login" not in data and "username" in data:
            data = data.copy()
            data["login"] = data["username"]
            kwargs["data"] = data
        super().__init__(*args, **kwargs)

    def user_credentials(self) -> dict:
        credentials = super().user_credentials()
        credentials.setdefault("username", self.cleaned_data["login"])
        return credentials


class AccountForm(forms.ModelForm):
    """What users change themselves: the signature their e-mails end with. The name and
    e-mail address are set by managers in the admin."""

    class Meta:
        model = User
        fields = ("email_signature",)
        widgets = {"email_signature": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"email_signature": _("Added at the end of the e-mails you send from Jalon.")}
