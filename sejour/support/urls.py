"""Support: a person's reports and call-backs, the desk, and the figures."""

from django.urls import path

from sejour.support import views

app_name = "support"

urlpatterns = [
    path("", views.my_reports, name="list"),
    path("signaler/", views.report_new, name="new"),
    path("rappel/", views.callback_new, name="callback"),
    path("rappel/<int:pk>/", views.call_close, name="call_close"),
    path("bureau/", views.desk, name="desk"),
    path("bureau/appels/", views.calls, name="calls"),
    path("bureau/acces/", views.access, name="access"),
    path("chiffres/", views.figures, name="figures"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/fichiers/<int:pk>/", views.attachment, name="attachment"),
    path("<str:number>/reparer/<slug:kind>/", views.fix, name="fix"),
    path("<str:number>/<slug:action>/", views.act, name="act"),
]
