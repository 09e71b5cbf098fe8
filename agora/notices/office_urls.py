from django.urls import path

from . import office

app_name = "office"
urlpatterns = [
    path("", office.queue, name="queue"),
    path("notices/<int:pk>/", office.decide, name="decide"),
    path("notices/<int:pk>/attendance/", office.record_attendance, name="attendance"),
    path("day/", office.day_sheet, name="day_sheet"),
    path("closures/", office.closures, name="closures"),
]
