"""A fresh worker warms up before its first request (``maturity.warmup``): after it, no
page compiles a template again."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from maturity.warmup import warm_up
from tests.helpers import World, sign_in


def test_after_warming_up_pages_compile_no_template(
    app: Flask, client: FlaskClient, world: World
) -> None:
    warm_up(app)
    cache = app.jinja_env.cache
    assert cache is not None
    names = app.jinja_env.list_templates(filter_func=lambda name: name.endswith(".html"))
    compiled = len(cache)
    assert compiled >= len(names)  # every template, none pushed out by the others
    sign_in(client, world.lead)
    client.get_page("main.home")
    client.get_page("orgs.overview", slug=world.org)
    client.get_page("results.results", slug=world.org, assessment_id=world.assessment)
    assert len(cache) == compiled
