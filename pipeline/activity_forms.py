import datetime as dt

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from pipeline.models import Task, TaskType
from pipeline.services.activities import SCOPE_FOLLOWING, SCOPE_THIS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

WEEKDAY_CHOICES = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]

SCOPE_CHOICES = [
    (SCOPE_THIS, _("This occurrence only")),
    (SCOPE_FOLLOWING, _("This one and the following ones")),
]


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


class TaskForm(forms.ModelForm):
    """What the task panel's dialog edits. The record it is about comes from the URL."""

    duration = forms.IntegerField(
        label=_("Duration (minutes)"),
        required=False,
        min_value=0,
        help_text=_("Used when no end is given."),
    )
    weekdays = forms.MultipleChoiceField(
        label=_("On weekdays"),
        choices=WEEKDAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "weekday-choices"}),
    )
    scope = forms.ChoiceField(
        label=_("Apply to"),
        choices=SCOPE_CHOICES,
        initial=SCOPE_THIS,
        required=False,
        widget=forms.RadioSelect,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Task
        fields = [
            "title",
            "type",
            "start",
            "end",
            "all_day",
            "assignee",
            "priority",
            "important",
            "location",
            "is_private",
            "notes",
            "frequency",
            "interval",
            "weekdays",
            "until",
            "count",
        ]
        widgets = {
            "start": _datetime_widget(),
            "end": _datetime_widget(),
            "until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"]
        self.fields["end"].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"]
        self.fields["type"].queryset = TaskType.objects.all()
        self.fields["type"].empty_label = None
        self.fields["assignee"].queryset = (
            get_user_model()
            .objects.filter(is_active=True)
            .order_by("first_name", "last_name", "username")
        )
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["interval"].min_value = 1
        self.fields["count"].min_value = 1
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.initial["weekdays"] = [d for d in (self.instance.weekdays or "").split(",") if d]
        if not (self.instance.pk and self.instance.is_recurring):
            del self.fields["scope"]

    def clean_weekdays(self) -> str:
        return ",".join(sorted(self.cleaned_data.get("weekdays") or []))

    def clean(self):
        data = super().clean()
        start, end, minutes = data.get("start"), data.get("end"), data.get("duration")
        if start and not end and minutes:
            data["end"] = start + dt.timedelta(minutes=minutes)
        if not data.get("interval"):
            data["interval"] = 1
        return data

    def _post_clean(self):
        # The service validates the task as a whole (rules of recurrence, versions); the form
        # only checks the fields themselves.
        pass

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("duration", "scope", "version"):
            data.pop(name, None)
        return data


class TaskFilter(django_filters.FilterSet):
    """The agenda's filters. The assignee filter is offered to managers only (the view drops it
    for reps, who see their own tasks)."""

    type = django_filters.ModelChoiceFilter(
        label=_("type"), queryset=TaskType.objects.all(), empty_label=_("All types")
    )
    priority = django_filters.ChoiceFilter(
        label=_("priority"), choices=Task.Priority.choices, empty_label=_("All priorities")
    )
    assignee = django_filters.ChoiceFilter(
        label=_("assigned to"), method="filter_assignee", empty_label=None
    )

    class Meta:
        model = Task
        fields = ["type", "priority", "assignee"]

    def __init__(self, *args, user=None, team=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if team:
            users = (
                get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
            )
            self.filters["assignee"].extra["choices"] = [
                ("", _("Me")),
                ("all", _("Whole team")),
                *[(str(u.pk), u.get_full_name() or u.username) for u in users if u.pk != user.pk],
            ]
        else:
            del self.filters["assignee"]

    @property
    def qs(self):
        queryset = super().qs
        if "assignee" not in self.filters or not (
            self.form.cleaned_data.get("assignee") if self.form.is_valid() else ""
        ):
            queryset = queryset.filter(assignee=self.user)
        return queryset

    def filter_assignee(self, queryset, name, value):
        if value == "all":
            return queryset
        return queryset.filter(assignee_id=value)
