from django.urls import path

from sawt.reports import views

app_name = "reports"
urlpatterns = [
    path("<slug:slug>/<str:period>/", views.report_page, name="journey"),
    path("<slug:slug>/<str:period>/pdf/", views.report_pdf_download, name="pdf"),
]
