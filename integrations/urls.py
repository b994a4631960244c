"""The integrations app's URLs."""

urlpatterns = []
