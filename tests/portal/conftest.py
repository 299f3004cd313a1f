import pytest
from django.test import Client

from opendti.accounts.models import User
from opendti.results.demo import demo_load


@pytest.fixture
def coordinator(db) -> Client:
    """The demo data, and a browser-less client logged in as the coordinator."""
    demo_load()
    client = Client()
    client.force_login(User.objects.get(username="dieuphoi"))
    return client
