from django.urls import path

from communeos.units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_index, name="index"),
    path("<int:unit_id>/", views.unit_detail, name="detail"),
    path("code/<str:code>/", views.unit_by_code, name="by_code"),
]
