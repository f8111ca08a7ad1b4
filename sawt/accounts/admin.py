"""The user admin with the role and agency inline; role changes go through the service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from sawt.accounts.models import Membership
from sawt.accounts.services import membership_set

User = get_user_model()
_ROLE_FLAGS = {"is_staff", "is_superuser", "groups", "user_permissions"}


class MembershipInline(admin.StackedInline):
    """A user's role and agency, edited on the user's page."""

    model = Membership
    fields = ("role", "agency")
    extra = 1
    max_num = 1
    # Removing the membership would leave an account that sees nothing: change the role instead.
    can_delete = False


class SawtUserAdmin(UserAdmin):
    """Django's user admin, plus the membership inline and the role in the list."""

    inlines = [MembershipInline]
    list_display = ("username", "role", "agency", "is_active", "last_login")
    list_filter = ("membership__role", "is_active")
    list_select_related = ("membership__agency",)
    # The role is the one source of rights: no staff, superuser, group or permission boxes
    # that could contradict it (membership_set sets the two flags from the role).
    fieldsets = tuple(
        (name, {**opts, "fields": tuple(f for f in opts["fields"] if f not in _ROLE_FLAGS)})
        for name, opts in UserAdmin.fieldsets or ()
    )

    @admin.display(description=Membership._meta.get_field("role").verbose_name)
    def role(self, user: Any) -> str:
        membership = getattr(user, "membership", None)
        return membership.get_role_display() if membership else "—"

    @admin.display(description=Membership._meta.get_field("agency").verbose_name)
    def agency(self, user: Any) -> str:
        membership = getattr(user, "membership", None)
        return str(membership.agency) if membership and membership.agency else "—"

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        # The service, not the formset, writes: it keeps the admin flags in step with the role
        # and leaves an audit row, as every other way of setting a role does.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            data = getattr(inline_form, "cleaned_data", None)
            if not data or not data.get("role") or not inline_form.has_changed():
                continue
            agency = data.get("agency")
            existed = inline_form.instance.pk is not None
            membership = membership_set(
                user=form.instance,
                role=data["role"],
                agency_code=agency.code if agency else None,
                actor=request.user,
            )
            # What the admin's history entry reads; formset.save() would have set these.
            if existed:
                formset.changed_objects.append((membership, inline_form.changed_data))
            else:
                formset.new_objects.append(membership)


admin.site.unregister(User)
admin.site.register(User, SawtUserAdmin)
