from django.urls import path

from communeos.people import views

app_name = "people"
urlpatterns = [
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/login/code/", views.login_otp_view, name="login_otp"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/two-step/", views.otp_setup, name="otp_setup"),
    path("accounts/unit/", views.unit_switch, name="unit_switch"),
    path("people/", views.staff_list, name="list"),
    path("people/<int:person_id>/", views.person_detail, name="detail"),
]
