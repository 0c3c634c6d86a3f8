"""Any damage to a data file is reported as a CatalogDataError, never as a crash."""

import copy
from functools import cache

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sejour.catalog.loader import (
    CATALOG_FILE,
    DATA_DIR,
    PREFECTURES_FILE,
    CatalogDataError,
    build_catalog,
)


@cache
def documents() -> tuple[object, object]:
    def read(name: str) -> object:
        return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))

    return read(CATALOG_FILE), read(PREFECTURES_FILE)


def paths(node: object, prefix: tuple = ()) -> list[tuple]:
    """Every place in a parsed document, as a path of keys and indexes."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


def replaced(document: object, path: tuple, value: object) -> object:
    if not path:
        return value
    document = copy.deepcopy(document)
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return document


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=500),
    st.text(max_size=5),
    st.sampled_from(["cst-salarie", "permit_type", "all", "choice", "yes_no", "01", "2A"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8) | st.integers(0, 3), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), which=st.sampled_from([0, 1]), value=values)
def test_any_replaced_value_is_reported_or_accepted(data, which, value):
    originals = list(documents())
    path = data.draw(st.sampled_from(paths(originals[which])))
    originals[which] = replaced(originals[which], path, value)

    try:
        build_catalog(*originals, sha256="0" * 64)
    except CatalogDataError as error:
        message = str(error)
    else:
        message = ""

    assert message == "" or message.startswith("The catalogue data files have errors:\n")


def test_unchanged_documents_are_accepted():
    data = build_catalog(*documents(), sha256="0" * 64)

    assert len(data.prefectures) == 104
