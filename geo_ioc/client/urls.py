from django.urls import path

from geo_ioc.client import views

urlpatterns = [
    path("wall/<str:name>", views.wall, name="wall"),
    path("login", views.LoginView.as_view(), name="login"),
    path("logout", views.LogoutView.as_view(), name="logout"),
]
