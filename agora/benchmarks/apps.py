from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "agora.benchmarks"
    verbose_name = "Benchmarks"
