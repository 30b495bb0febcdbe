from django.urls import path

from communeos.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("incoming/new/", views.register_incoming, name="register_incoming"),
    path("outgoing/new/", views.draft_outgoing, name="draft_outgoing"),
    path("<int:document_id>/", views.document_detail, name="detail"),
    path("<int:document_id>/do/<slug:action>/", views.document_action, name="action"),
    path("<int:document_id>/files/<int:attachment_id>/", views.document_file, name="file"),
    path("registers/<str:unit_code>/<slug:direction>/<int:year>/", views.register_page, name="register"),
    path(
        "registers/<str:unit_code>/<slug:direction>/<int:year>.<slug:fmt>",
        views.register_export,
        name="register_export",
    ),
]
