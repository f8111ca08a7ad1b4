"""The login forms (the site's and the admin's): Django's, with the username's length checked
before anyone is asked."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class _UsernameLength:
    """Refuse a username longer than the column holds.

    Django sets the field's max_length only after creating it, so no validator enforces it, and
    a failed login is recorded by django-axes with its username: 10,000 characters would then
    fail on PostgreSQL (a 500) instead of being a wrong login.
    """

    fields: dict[str, Any]

    def _check_username_length(self) -> None:
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginForm(_UsernameLength, AuthenticationForm):
    """The site's login form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._check_username_length()


class AdminLoginForm(_UsernameLength, AdminAuthenticationForm):
    """The admin's login form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._check_username_length()
