from django.urls import path

from . import views

app_name = "administration"
urlpatterns = [
    path("", views.index, name="index"),
    path("enheter/", views.unit_order_list, name="unit_order_list"),
    path("enheter/ny/<slug:kind>/", views.unit_order_create, name="unit_order_create"),
    path("enheter/<int:pk>/", views.unit_order_detail, name="unit_order_detail"),
    path("enheter/<int:pk>/godkann/", views.unit_order_approve, name="unit_order_approve"),
    path("enheter/<int:pk>/avsla/", views.unit_order_reject, name="unit_order_reject"),
    path("enheter/<int:pk>/aterkalla/", views.unit_order_cancel, name="unit_order_cancel"),
    path("behorigheter/", views.access_review, name="access_review"),
    path("behorigheter/bestall/", views.access_order_create, name="access_order_create"),
    path(
        "behorigheter/avbestall/<int:commission_pk>/",
        views.access_order_revoke,
        name="access_order_revoke",
    ),
    path("behorigheter/att-registrera/", views.access_order_queue, name="access_order_queue"),
    path(
        "behorigheter/bestallningar/<int:pk>/",
        views.access_order_detail,
        name="access_order_detail",
    ),
    path(
        "behorigheter/bestallningar/<int:pk>/registrera/",
        views.access_order_register,
        name="access_order_register",
    ),
    path(
        "behorigheter/bestallningar/<int:pk>/avsla/",
        views.access_order_reject,
        name="access_order_reject",
    ),
    path(
        "behorigheter/bestallningar/<int:pk>/aterkalla/",
        views.access_order_cancel,
        name="access_order_cancel",
    ),
]
