"""The mail app's URLs."""

urlpatterns = []
