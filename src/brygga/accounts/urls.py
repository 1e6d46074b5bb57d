from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("logga-in/", views.login_view, name="login"),
    path("logga-ut/", views.logout_view, name="logout"),
    path("uppdrag/", views.choose_commission_view, name="choose_commission"),
    path("ingen-behorighet/", views.no_commission_view, name="no_commission"),
]
