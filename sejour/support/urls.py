"""Support: a person's reports, and the desk."""

from django.urls import path

from sejour.support import views

app_name = "support"

urlpatterns = [
    path("", views.my_reports, name="list"),
    path("signaler/", views.report_new, name="new"),
    path("bureau/", views.desk, name="desk"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/<slug:action>/", views.act, name="act"),
]
