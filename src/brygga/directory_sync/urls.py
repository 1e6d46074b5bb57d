from django.urls import path

from . import views

app_name = "directory_sync"
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("<int:run_id>/", views.run_detail, name="run"),
]
