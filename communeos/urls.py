from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from communeos.core.api import api, not_found
from communeos.onestop.urls import public_urlpatterns

api.add_router("/units/", "communeos.units.api.router")
api.add_router("/", "communeos.people.api.router")
api.add_router("/onestop/", "communeos.onestop.api.router")
api.add_router("/documents/", "communeos.documents.api.router")
api.add_router("/exports/", "communeos.core.api.router")
api.add_router("/calendar/", "communeos.core.api.calendar_router")

urlpatterns = [
    # The API first: its public endpoints are the busiest addresses, and Django tries the
    # patterns in order (the pages' patterns never start with api/).
    path("api/v1/", api.urls),
    re_path(r"^api/", not_found),  # the API's JSON 404 for any other address under api/
    path("", include("communeos.core.urls")),
    path("units/", include("communeos.units.urls")),
    path("", include("communeos.people.urls")),
    path("onestop/", include("communeos.onestop.urls")),
    path("documents/", include("communeos.documents.urls")),
    path("", include(public_urlpatterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
