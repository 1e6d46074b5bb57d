from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.exercises, name="exercises"),
    path("aterstall/", views.reset, name="reset"),
    path("aterstalld/", views.reset_done, name="reset_done"),
]
