"""The client's address behind the number of proxies the deployment trusts."""

import pytest
from django.test import RequestFactory, override_settings

from sejour.core.http import client_ip


def _request(remote: str = "10.0.0.1", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@override_settings(SEJOUR_TRUSTED_PROXY_HOPS=0)
def test_without_a_proxy_the_forwarded_header_is_ignored():
    assert client_ip(_request("203.0.113.7", forwarded="198.51.100.1")) == "203.0.113.7"


@override_settings(SEJOUR_TRUSTED_PROXY_HOPS=1)
def test_behind_one_proxy_the_address_it_appended_is_the_clients():
    assert client_ip(_request(forwarded="198.51.100.9")) == "198.51.100.9"


@override_settings(SEJOUR_TRUSTED_PROXY_HOPS=1)
def test_a_client_cannot_choose_its_address_by_sending_the_header():
    # The client sent "1.2.3.4"; the proxy appended the address it really came from.
    assert client_ip(_request(forwarded="1.2.3.4, 198.51.100.9")) == "198.51.100.9"


@override_settings(SEJOUR_TRUSTED_PROXY_HOPS=2)
def test_behind_two_proxies_the_outer_ones_entry_is_read():
    assert client_ip(_request(forwarded="1.2.3.4, 198.51.100.9, 10.0.0.5")) == "198.51.100.9"


@pytest.mark.parametrize("forwarded", ["", "not-an-address", " , "])
@override_settings(SEJOUR_TRUSTED_PROXY_HOPS=1)
def test_an_unreadable_header_falls_back_to_the_peer(forwarded):
    assert client_ip(_request("10.0.0.1", forwarded=forwarded)) == "10.0.0.1"


@override_settings(SEJOUR_TRUSTED_PROXY_HOPS=0)
def test_an_unreadable_peer_gives_no_address():
    assert client_ip(_request("garbage")) is None
