from django.urls import path

from . import views

urlpatterns = [
    path("decisions/<str:reference>/", views.decision_public, name="decision_public"),
]
