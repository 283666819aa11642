from django.apps import AppConfig


class AccidentsConfig(AppConfig):
    name = "accidents"
