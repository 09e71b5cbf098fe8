"""Agora: fair, transparent public-assembly notification and venue booking."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("agora")  # pyproject.toml's project.version, as installed
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
