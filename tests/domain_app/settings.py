"""Settings of a run with the test domain installed: the project's, plus this app."""

from geo_ioc.settings import *  # noqa: F403
from geo_ioc.settings import INSTALLED_APPS as BASE_APPS

INSTALLED_APPS = [*BASE_APPS, "tests.domain_app"]
