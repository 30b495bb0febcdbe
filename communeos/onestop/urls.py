from django.urls import path

from communeos.onestop import views

app_name = "onestop"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("dossiers/", views.dossier_list, name="list"),
    path("receive/", views.receive_choose, name="receive_choose"),
    path("receive/<slug:procedure_code>/", views.receive, name="receive"),
    path("dossiers/<str:code>/", views.dossier_detail, name="detail"),
    path("dossiers/<str:code>/do/<slug:action>/", views.dossier_action, name="action"),
    path("dossiers/<str:code>/forms/<slug:form>.pdf", views.dossier_form, name="form"),
    path("dossiers/<str:code>/files/<int:file_id>/", views.dossier_file, name="file"),
    path("statistics/", views.statistics_page, name="statistics"),
    path("statistics.xlsx", views.statistics_export, name="statistics_export"),
    path("register/", views.register_page, name="register"),
    path("register.<slug:fmt>", views.register_export, name="register_export"),
]

public_urlpatterns = (
    [
        path("procedures/", views.procedure_catalogue, name="procedures"),
        path("lookup/", views.lookup, name="lookup"),
        path("lookup/<str:code>/", views.lookup, name="lookup_code"),
        path("lookup/<str:code>/rate/", views.lookup_rate, name="rate"),
        path("lookup/<str:code>/supplement/", views.lookup_supplement, name="supplement"),
        path("apply/", views.apply_choose, name="apply_choose"),
        path("apply/<slug:procedure_code>/", views.apply, name="apply"),
    ],
    "onestop_public",
)
