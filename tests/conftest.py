"""Shared pytest fixtures. Tests never touch the network beyond loopback servers they start themselves."""

import os

os.environ["HF_HUB_OFFLINE"] = "1"  # set before any test imports transformers/datasets

import pytest

from lion1b.demo.site import DemoSite


@pytest.fixture(scope="session")
def demo_site():
    """The demo website on free loopback ports, started once per session; see docs/demo_site.md."""
    with DemoSite(seed=0) as site:
        yield site
