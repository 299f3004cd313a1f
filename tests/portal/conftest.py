import pytest
from django.test import Client

from opendti.accounts.models import User
from opendti.results.demo import demo_load
from tests.login import login


@pytest.fixture
def coordinator(db) -> Client:
    """The demo data, and a browser-less client logged in as the coordinator."""
    demo_load()
    client = Client()
    login(client, User.objects.get(username="dieuphoi"))
    return client
