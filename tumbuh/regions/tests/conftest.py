import pytest


@pytest.fixture
def client(client):
    """The test client reading pages in English (the language switch's cookie), so assertions
    match the source strings whether or not the Indonesian catalogue is compiled."""
    client.cookies["bahasa"] = "en"
    return client
