from django.urls import path

from . import authority_pages, day_plan, office

app_name = "office"
urlpatterns = [
    path("", office.queue, name="queue"),
    path("notices/<int:pk>/", office.decide, name="decide"),
    path("notices/<int:pk>/attendance/", office.record_attendance, name="attendance"),
    path("day/", office.day_sheet, name="day_sheet"),
    path("plan/", day_plan.today, name="day_plan_today"),
    path("plan/<str:day>/", day_plan.day_plan, name="day_plan"),
    path("plan/<str:day>/move/", day_plan.ask_to_move, name="ask_to_move"),
    path("closures/", authority_pages.closures, name="closures"),
    path("places/", authority_pages.venues, name="venues"),
    path("places/<int:pk>/", authority_pages.venue, name="venue"),
    path("calendar/", authority_pages.calendar, name="calendar"),
]
