"""Account pages."""

from django.urls import path

from sejour.accounts import views

app_name = "accounts"

urlpatterns = [
    path("inscription/", views.signup, name="signup"),
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("code/", views.code, name="code"),
    path("code/renvoyer/", views.code_resend, name="code_resend"),
    path("verifier/<str:public_id>/<str:token>/", views.link, name="link"),
    path("mot-de-passe-oublie/", views.reset, name="reset"),
    path("mot-de-passe-oublie/nouveau/", views.reset_set, name="reset_set"),
    path("", views.account, name="account"),
    path("identite/", views.identity, name="identity"),
    path("coordonnees/<str:kind>/", views.contact_change, name="contact_change"),
    path("double-authentification/activer/", views.otp_setup, name="otp_setup"),
    path("double-authentification/", views.otp_verify, name="otp_verify"),
    path("double-authentification/code/", views.otp_code_send, name="otp_code_send"),
    path("double-authentification/appareils/", views.otp_devices, name="otp_devices"),
]
