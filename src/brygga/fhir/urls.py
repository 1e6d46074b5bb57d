from django.urls import path

from . import openapi, views

app_name = "fhir"

urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    path(".well-known/smart-configuration", views.smart_config, name="smart_configuration"),
    path("auth/token", views.token, name="token"),
    path("openapi.json", openapi.openapi_view, name="openapi"),
    path("<str:resource_type>", views.type_endpoint, name="type"),
    path("<str:resource_type>/<str:resource_id>", views.instance_endpoint, name="instance"),
]
