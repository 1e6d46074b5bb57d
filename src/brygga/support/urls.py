from django.urls import path

from . import views

app_name = "support"
urlpatterns = [
    path("", views.index, name="index"),
    path("hjalp/", views.help_index, name="help_index"),
    path("hjalp/<slug:slug>/", views.help_topic, name="help_topic"),
    path("driftinformation/", views.news_list, name="news_list"),
    path("driftinformation/hantera/", views.news_manage, name="news_manage"),
    path("driftinformation/ny/", views.news_create, name="news_create"),
    path("driftinformation/<int:pk>/andra/", views.news_update, name="news_update"),
    path("driftinformation/<int:pk>/avsluta/", views.news_end, name="news_end"),
    path("driftinformation/<int:pk>/dolj/", views.news_dismiss, name="news_dismiss"),
    path("forslag/", views.suggestion_list, name="suggestion_list"),
    path("forslag/nytt/", views.suggestion_create, name="suggestion_create"),
    path("forslag/hantera/", views.suggestion_triage, name="suggestion_triage"),
    path("forslag/<int:pk>/", views.suggestion_detail, name="suggestion_detail"),
    path("kontakter/", views.contact_list, name="contact_list"),
    path("kontakter/ny/", views.contact_create, name="contact_create"),
    path("kontakter/<int:pk>/andra/", views.contact_update, name="contact_update"),
    path("kontakter/<int:pk>/ta-bort/", views.contact_delete, name="contact_delete"),
    path("e-utbildningar/", views.elearning_list, name="elearning_list"),
    path("e-utbildningar/ny/", views.elearning_create, name="elearning_create"),
    path("e-utbildningar/<int:pk>/andra/", views.elearning_update, name="elearning_update"),
    path("e-utbildningar/<int:pk>/ta-bort/", views.elearning_delete, name="elearning_delete"),
]
