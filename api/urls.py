"""The api app's URLs."""

urlpatterns = []
