from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_safe


@require_safe
def healthz(request):
    """Liveness for load balancers, and the framework's own ceiling in `agora bench submit`."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("agora.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include(("agora.api.urls", "api"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("office/", include("agora.notices.office_urls")),
    path("agency/", include("agora.notices.agency_urls")),
    path("", include("agora.notices.urls")),
    path("", include("agora.register.urls")),
    path("", include("agora.venues.urls")),
]
