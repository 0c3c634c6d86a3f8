"""Appointments: the prefecture's pages, under the back-office."""

from django.urls import path

from sejour.appointments import staff_views

app_name = "appointments_staff"

urlpatterns = [
    path("", staff_views.sites, name="sites"),
    path("accueil/", staff_views.check_in, name="check_in"),
    path("convoquer/<str:number>/", staff_views.convoke, name="convoke"),
    path("creneau/<int:pk>/<slug:action>/", staff_views.slot_toggle, name="slot"),
    path("<int:pk>/", staff_views.calendar, name="calendar"),
    path("<int:pk>/creneaux/", staff_views.slots_create, name="slots_create"),
    path("<int:pk>/jour/", staff_views.day, name="day"),
]
