"""A channel is read by its name in the person's language; an unknown code stays as it is."""

from django.utils import translation

from sawt.complaints.channels import channel_name


def test_known_channels_have_arabic_and_english_names():
    with translation.override("ar"):
        assert channel_name("balady-portal") == "بوابة بلدي"
        assert channel_name("call-centre-940") == "مركز الاتصال 940"
    with translation.override("en"):
        assert channel_name("balady-portal") == "Balady portal"
        assert channel_name(" Email ") == "E-mail"


def test_an_unknown_code_has_no_name():
    assert channel_name("fax") is None
