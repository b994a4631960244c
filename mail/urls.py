"""The mail app's URLs."""

from django.urls import path

from mail import views_send
from mail.capture import views as capture_views

urlpatterns = [
    # Sending (mail-send): compose from a card, read a message, mark it private.
    path("mail/write/", views_send.mail_compose, name="mail_compose"),
    path("mail/<id:pk>/", views_send.mail_detail, name="mail_detail"),
    path("mail/<id:pk>/private/", views_send.mail_private, name="mail_private"),
    # Capture (mail-capture): dropped files, the inbox of unfiled mail and its actions.
    path("mail/", capture_views.mail_inbox, name="mail_inbox"),
    path("mail/upload/", capture_views.mail_upload, name="mail_upload"),
    path("mail/<id:pk>/file/search/", capture_views.mail_file_search, name="mail_file_search"),
    path("mail/<id:pk>/file/", capture_views.mail_file, name="mail_file"),
    path("mail/<id:pk>/prospect/", capture_views.mail_make_prospect, name="mail_make_prospect"),
    path("mail/<id:pk>/set-aside/", capture_views.mail_inbox_action, name="mail_inbox_action"),
]
