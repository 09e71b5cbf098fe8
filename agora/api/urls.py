from . import agency, officer, organizer, public
from .core import api

api.add_router("", public.router)
api.add_router("", organizer.router)
api.add_router("", officer.router)
api.add_router("", agency.router)
urlpatterns = api.urls[0]
