"""The public API: every name in ``bs.__all__`` exists and every public callable is documented."""

from __future__ import annotations

import inspect

import pytest

import boolsens as bs

CALLABLES = [name for name in bs.__all__ if callable(getattr(bs, name, None))]
CLASS_METHODS = [
    (cls_name, attr)
    for cls_name in ("BooleanFunction",)
    for attr, value in vars(getattr(bs, cls_name)).items()
    if not attr.startswith("_") and (callable(value) or isinstance(value, (classmethod, staticmethod, property)))
]


def test_all_is_a_list_of_unique_strings():
    assert all(isinstance(name, str) for name in bs.__all__)
    assert len(bs.__all__) == len(set(bs.__all__))


@pytest.mark.parametrize("name", bs.__all__)
def test_public_name_exists(name):
    assert hasattr(bs, name), f"boolsens.__all__ lists {name!r} but the package has no such attribute"


def test_version_is_a_string():
    assert isinstance(bs.__version__, str) and bs.__version__


@pytest.mark.parametrize("name", CALLABLES)
def test_public_callable_has_docstring(name):
    doc = inspect.getdoc(getattr(bs, name))
    assert doc and doc.strip(), f"boolsens.{name} has no docstring"


@pytest.mark.parametrize("cls_name, attr", CLASS_METHODS, ids=[f"{c}.{a}" for c, a in CLASS_METHODS])
def test_public_method_has_docstring(cls_name, attr):
    doc = inspect.getdoc(getattr(getattr(bs, cls_name), attr))
    assert doc and doc.strip(), f"boolsens.{cls_name}.{attr} has no docstring"


def test_estimate_module_public_names_documented():
    names = getattr(bs.estimate, "__all__", None)
    assert names, "boolsens.estimate has no __all__"
    for name in names:
        obj = getattr(bs.estimate, name)
        assert inspect.getdoc(obj), f"boolsens.estimate.{name} has no docstring"


def test_error_class_is_a_value_error():
    assert issubclass(bs.BoolsensError, ValueError)


FUNCTIONS = [name for name in CALLABLES if inspect.isfunction(getattr(bs, name))]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_function_docstring_has_an_example(name):
    """The project standard: every public function's docstring carries a small checked example."""
    assert ">>>" in (inspect.getdoc(getattr(bs, name)) or ""), f"boolsens.{name}'s docstring has no example"
