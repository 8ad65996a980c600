"""The example plan files shipped inside the package match the ones in ``examples/``."""

from __future__ import annotations

import pytest

from oversight.plans import examples
from tests.plans.helpers import EXAMPLES, PACKAGED


def test_packaged_examples_are_identical_to_the_repository_copies() -> None:
    canonical = sorted(p.name for p in EXAMPLES.glob("*.yaml"))
    assert canonical == ["delivery-2022.yaml", "leicestershire-2013.yaml"]
    assert sorted(p.name for p in PACKAGED.glob("*.yaml")) == canonical
    for name in canonical:
        assert (PACKAGED / name).read_bytes() == (EXAMPLES / name).read_bytes(), (
            f"oversight/plans/examples/{name} differs from examples/{name}; copy it again"
        )


def test_path_helper() -> None:
    assert examples.path("leicestershire-2013") == PACKAGED / "leicestershire-2013.yaml"
    assert examples.path("delivery-2022.yaml").is_file()
    assert examples.names() == ["delivery-2022", "leicestershire-2013"]
    with pytest.raises(FileNotFoundError, match="the examples are: delivery-2022"):
        examples.path("nowhere")
