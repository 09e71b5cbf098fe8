from .core import api
from .endpoints import officer, organizer, public

api.add_router("", public)
api.add_router("", organizer)
api.add_router("", officer)
urlpatterns = api.urls[0]
