from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("logga-in/", views.login_view, name="login"),
    path("logga-in/oidc/", views.oidc_login_view, name="oidc_login"),
    path("logga-in/oidc/tillbaka/", views.oidc_callback_view, name="oidc_callback"),
    path("logga-in/siths/", views.siths_login_view, name="siths_login"),
    path("logga-ut/", views.logout_view, name="logout"),
    path("utloggad/", views.logged_out_view, name="logged_out"),
    path("uppdrag/", views.choose_commission_view, name="choose_commission"),
    path("ingen-behorighet/", views.no_commission_view, name="no_commission"),
]
