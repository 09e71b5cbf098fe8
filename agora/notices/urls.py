from django.urls import path

from . import account, views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("notices/", views.my_notices, name="my_notices"),
    path("notices/new/", views.new_notice, name="new_notice"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("notices/<int:pk>/file/", views.file_draft, name="file_draft"),
    path("notices/<int:pk>/alternative/", views.answer_alternative, name="answer_alternative"),
    path("notices/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("offers/<int:pk>/", views.answer_offer, name="answer_offer"),
    path("moves/<int:pk>/", views.answer_move, name="answer_move"),
    path("account/", account.account, name="account"),
    path("account/data.json", account.account_data, name="account_data"),
    path("account/close/", account.close_account, name="close_account"),
    path("letters/<str:reference>.pdf", views.letter, name="letter"),
    path("receipts/<str:reference>.<str:fmt>", views.receipt, name="receipt"),
]
