"""URLs: pages under a language prefix (/fr/, /en/, /ar/), probes and the admin outside it."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from sejour.web import views as web_views

handler400 = "sejour.web.views.bad_request"
handler403 = "sejour.web.views.forbidden"
handler404 = "sejour.web.views.not_found"
handler500 = "sejour.web.views.server_error"

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    path("readyz", web_views.readyz, name="readyz"),
    path(".well-known/sejour-signing-keys.json", web_views.signing_keys, name="signing_keys"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
urlpatterns += i18n_patterns(
    path(settings.ADMIN_URL, admin.site.urls),
    path("compte/", include("sejour.accounts.urls")),
    path("demandes/", include("sejour.dossiers.urls")),
    path("instruction/rendez-vous/", include("sejour.appointments.staff_urls")),
    path("instruction/", include("sejour.backoffice.urls")),
    path("rendez-vous/", include("sejour.appointments.urls")),
    path("partage/", include("sejour.sharing.urls")),
    path("aidants/", include("sejour.helpers.urls")),
    path("signalements/", include("sejour.support.urls")),
    path("", include("sejour.web.urls")),
    prefix_default_language=True,
)
