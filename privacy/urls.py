"""The privacy app's URLs."""

urlpatterns = []
