from django.urls import path

from . import views

urlpatterns = [
    path("help/articles/", views.ArticleListView.as_view(), name="help-article-list"),
    path("help/articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="help-article"),
    path(
        "help/articles/<slug:slug>/feedback/",
        views.ArticleFeedbackView.as_view(),
        name="help-article-feedback",
    ),
]
