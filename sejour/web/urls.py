"""Public and applicant pages."""

from django.urls import path

from sejour.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("langue/", views.language_set, name="language_set"),
    path("messages/", views.inbox, name="inbox"),
    path("verifier/", views.verify, name="verify"),
    path("verifier/cles/", views.verify_keys, name="verify_keys"),
    path("verifier/<str:code>/", views.verify, name="verify_code"),
]
