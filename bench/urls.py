"""The project's URLs plus a bare view, so that the bare view and the app are served by the
same server, through the same middleware, in the same run."""

from django.http import HttpResponse
from django.urls import include, path


def ok(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/ok", ok),
    path("", include("communeos.urls")),
]
