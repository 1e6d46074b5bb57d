from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.index, name="index"),
    path("organisationer/", views.organisation_list, name="organisation_list"),
    path("organisationer/ny/", views.organisation_create, name="organisation_create"),
    path("organisationer/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisationer/<int:pk>/andra/", views.organisation_update, name="organisation_update"),
    path("enheter/", views.unit_list, name="unit_list"),
    path("enheter/ny/", views.unit_create, name="unit_create"),
    path("enheter/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("enheter/<int:pk>/andra/", views.unit_update, name="unit_update"),
    path("personer/", views.person_list, name="person_list"),
    path("personer/ny/", views.person_create, name="person_create"),
    path("personer/<int:pk>/", views.person_detail, name="person_detail"),
    path("personer/<int:pk>/andra/", views.person_update, name="person_update"),
    path("uppdrag/", views.commission_list, name="commission_list"),
    path("uppdrag/ny/", views.commission_create, name="commission_create"),
    path("uppdrag/<int:pk>/", views.commission_detail, name="commission_detail"),
    path("uppdrag/<int:pk>/andra/", views.commission_update, name="commission_update"),
    path("uppdrag/<int:pk>/avsluta/", views.commission_end, name="commission_end"),
]
