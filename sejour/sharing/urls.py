"""Share codes: the applicant's pages, and the public check page."""

from django.urls import path

from sejour.sharing import views

app_name = "sharing"

urlpatterns = [
    path("", views.share_codes, name="list"),
    path("nouveau/", views.create, name="create"),
    path("verifier/", views.check, name="check"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/annuler/", views.revoke, name="revoke"),
]
