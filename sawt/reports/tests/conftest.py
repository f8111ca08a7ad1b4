import pytest
from django.core.management import call_command

from sawt.demo.loader import demo_load


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo journeys, loaded once for a module (outside the per-test transactions)."""
    with django_db_blocker.unblock():
        demo_load()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
