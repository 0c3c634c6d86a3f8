"""The applicant's application pages."""

from django.urls import path

from sejour.dossiers import views

app_name = "dossiers"

urlpatterns = [
    path("nouvelle/", views.start, name="start"),
    path("mes-donnees/", views.my_data, name="my_data"),
    path("accompagnees/", views.helping, name="helping"),
    path("accompagnees/<int:applicant_id>/nouvelle/", views.start_for, name="start_for"),
    path("accompagnees/representer/", views.represent, name="represent"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/questions/", views.answers, name="answers"),
    path("<str:number>/pieces/", views.documents, name="documents"),
    path("<str:number>/pieces/<str:item>/ajouter/", views.upload, name="upload"),
    path("<str:number>/fichiers/<int:document_id>/", views.document_download, name="document"),
    path(
        "<str:number>/fichiers/<int:document_id>/retirer/",
        views.document_remove,
        name="document_remove",
    ),
    path("<str:number>/verifier/", views.review, name="review"),
    path("<str:number>/deposer/", views.submit, name="submit"),
    path("<str:number>/rappel/", views.remind, name="remind"),
    path("<str:number>/retirer/", views.withdraw, name="withdraw"),
    path("<str:number>/messages/", views.message, name="message"),
    path("<str:number>/pieces-envoyees/", views.requests_answered, name="requests_answered"),
    path("<str:number>/attestations/<str:code>/", views.attestation_download, name="attestation"),
    path("<str:number>/tentatives/<str:proof>/", views.attempt_proof, name="attempt_proof"),
]
