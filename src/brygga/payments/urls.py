from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.basis, name="basis"),
    path("export/<slug:fmt>/", views.export, name="export"),
    path("arende/<int:case_id>/", views.case_row, name="case"),
    path("arende/<int:case_id>/bestrid/", views.dispute, name="dispute"),
    path("arende/<int:case_id>/avbojt-stod/", views.support_refusal, name="support_refusal"),
    path("bestridanden/", views.disputes, name="disputes"),
    path("bestridanden/<int:dispute_id>/avgor/", views.resolve, name="resolve"),
    path("overenskommelser/", views.agreements, name="agreements"),
    path("overenskommelser/ny/", views.agreement_create, name="agreement_create"),
    path("overenskommelser/<int:agreement_id>/", views.agreement_detail, name="agreement_detail"),
    path("belopp/", views.amounts, name="amounts"),
]
