"""URL map: login, the admin (Arabic, RTL) and the web interface."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from sawt.accounts.forms import AdminLoginForm, LoginForm

admin.site.site_header = _("sawt — voice of the customer")
admin.site.site_title = _("sawt")
admin.site.index_title = _("Administration")
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path(
        "accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("reports/", include("sawt.reports.urls")),
    # The public survey form: anonymous, in the invitation's language (sawt/web/form_urls.py).
    path("s/", include("sawt.web.form_urls")),
    # The integration API: bearer tokens, JSON in and out, its schema generated (sawt/api).
    path("api/v1/", include("sawt.api.urls")),
    path("", include("sawt.web.urls")),
]

# Branded error pages in the active language, with the site's header and a way back home.
handler403 = "sawt.web.views.errors.permission_denied"
handler404 = "sawt.web.views.errors.page_not_found"
handler500 = "sawt.web.views.errors.server_error"
