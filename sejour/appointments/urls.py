"""Appointments: the applicant's pages."""

from django.urls import path

from sejour.appointments import views

app_name = "appointments"

urlpatterns = [
    path("", views.my_appointments, name="list"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/choisir/", views.choose, name="choose"),
    path("<str:reference>/rendez-vous.ics", views.calendar_file, name="ics"),
    path("<str:reference>/convocation.pdf", views.convocation, name="convocation"),
    path("<str:reference>/offre/<int:pk>/<slug:answer>/", views.offer_answer, name="offer"),
    path("<str:reference>/<slug:action>/", views.act, name="act"),
]
