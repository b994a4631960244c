from django.urls import path

from catalogue import rep_views, views

urlpatterns = [
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/search/", views.product_search, name="product_search"),
    path("products/<id:pk>/", views.product_edit, name="product_edit"),
    path(
        "companies/<id:pk>/family-reps/",
        rep_views.company_family_reps,
        name="company_family_reps",
    ),
    path("family-reps/<id:pk>/delete/", rep_views.family_rep_delete, name="family_rep_delete"),
]
