"""The language a person chose holds for their requests only, never for what runs next."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation


@pytest.mark.django_db
def test_a_request_in_english_leaves_the_default_language_behind():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/accounts/login/")
    assert response["Content-Language"] == "en" and 'lang="en"' in response.content.decode()
    # The next thing this thread does (a command, another request) starts in Arabic.
    assert translation.get_language() == settings.LANGUAGE_CODE == "ar"
