from django.urls import path

from . import agency

app_name = "agency"
urlpatterns = [
    path("", agency.queue, name="queue"),
    path("consultations/<int:pk>/", agency.answer, name="answer"),
]
