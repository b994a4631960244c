from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.second_factor import second_factor_reset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Shown to others"), {"fields": ("initials", "phone", "email_signature")}),
    )
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_staff")
    actions = ("reset_second_factor",)

    @admin.action(
        description=_("Reset the second factor (authenticator app, passkeys, recovery codes)"),
        permissions=("change",),
    )
    def reset_second_factor(self, request, queryset):
        """For a user who lost their phone or key: they set up a new one at their next login
        when it is compulsory. Logged in each user's history."""
        users = list(queryset)
        for user in users:
            second_factor_reset(user=user, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "The second factor of %(count)d user was reset.",
                "The second factors of %(count)d users were reset.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )
