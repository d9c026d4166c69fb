app_name = "submissions-api"
urlpatterns = []
