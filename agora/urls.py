from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("agora.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include(("agora.api.urls", "api"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("office/", include("agora.notices.office_urls")),
    path("", include("agora.notices.urls")),
    path("", include("agora.register.urls")),
    path("", include("agora.venues.urls")),
]
