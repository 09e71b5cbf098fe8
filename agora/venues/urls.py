from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("places/<int:pk>/availability/", views.availability, name="availability"),
]
