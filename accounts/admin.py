from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Shown to others"), {"fields": ("initials", "phone", "email_signature")}),
    )
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_staff")
