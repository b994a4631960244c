from django.urls import path

from catalogue import views

urlpatterns = [
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/search/", views.product_search, name="product_search"),
    path("products/<int:pk>/", views.product_edit, name="product_edit"),
]
