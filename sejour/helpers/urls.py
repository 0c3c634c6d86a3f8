"""Helpers' pages: organisations, consent, accounts opened for others; the applicant's mandates."""

from django.urls import path

from sejour.helpers import views

app_name = "helpers"

urlpatterns = [
    path("", views.organisations, name="organisations"),
    path("organisation/demande/", views.apply, name="apply"),
    path("organisation/<int:pk>/", views.organisation, name="organisation"),
    path("organisation/<int:pk>/inviter/", views.invite, name="invite"),
    path(
        "organisation/<int:pk>/membres/<int:member>/retirer/",
        views.member_remove,
        name="member_remove",
    ),
    path("organisation/<int:pk>/consentement/", views.consent, name="consent"),
    path("organisation/<int:pk>/ouvrir-un-compte/", views.account_open, name="account_open"),
    path("consentement/<int:pk>/code/", views.consent_code, name="consent_code"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("verification/", views.to_verify, name="to_verify"),
    path("verification/<int:pk>/", views.decide, name="decide"),
    path("mes-mandats/", views.mandates, name="mandates"),
    path("mes-mandats/nouveau/", views.grant, name="grant"),
    path("mes-mandats/<int:pk>/retirer/", views.revoke, name="revoke"),
    path("mes-mandats/<int:pk>/renouveler/", views.renew, name="renew"),
    path("representations/<int:pk>/fin/", views.representation_end, name="representation_end"),
    path("reprendre-mon-compte/", views.take_over, name="take_over"),
]
