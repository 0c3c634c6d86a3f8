"""The prefecture's back-office pages."""

from django.urls import path

from sejour.backoffice import counter, views

app_name = "backoffice"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("lot/", views.bulk, name="bulk"),
    path("recherche/", views.search, name="search"),
    path("chiffres/", views.figures, name="figures"),
    path("guichet/", counter.start, name="counter"),
    path("guichet/personne/<str:token>/", counter.person, name="counter_person"),
    path("guichet/<str:number>/", counter.dossier, name="counter_dossier"),
    path("guichet/<str:number>/reponses/", counter.answers, name="counter_answers"),
    path("guichet/<str:number>/fichier/", counter.upload, name="counter_upload"),
    path("guichet/<str:number>/deposer/", counter.file, name="counter_file"),
    path("guichet/<str:number>/recepisse/", counter.receipt, name="counter_receipt"),
    path("guichet/<str:number>/recepisse.pdf", counter.receipt_pdf, name="counter_receipt_pdf"),
    path("<str:number>/", views.review, name="review"),
    path("<str:number>/fichiers/<int:document_id>/", views.document, name="document"),
    path("<str:number>/prendre/", views.take, name="take"),
    path("<str:number>/attribuer/", views.assign, name="assign"),
    path("<str:number>/demander/", views.request_documents, name="request"),
    path("<str:number>/accepter/", views.approve, name="approve"),
    path("<str:number>/refuser/", views.refuse, name="refuse"),
    path("<str:number>/retirer-decision/", views.withdraw_decision, name="withdraw_decision"),
    path("<str:number>/accorder-attestation/", views.grant_extension, name="grant_extension"),
    path("<str:number>/remise-titre/", views.hand_over, name="hand_over"),
    path("<str:number>/note/", views.note, name="note"),
    path("<str:number>/message/", views.message, name="message"),
]
