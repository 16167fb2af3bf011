"""The help centre's pages."""

from django.urls import path

from knowledge import views

app_name = "help"
urlpatterns = [
    path("", views.help_home, name="home"),
    path("search/", views.help_search, name="search"),
    path("contact/", views.contact, name="contact"),
    path("suggest/", views.suggest, name="suggest"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("articles/<slug:slug>/feedback/", views.article_feedback, name="feedback"),
]
