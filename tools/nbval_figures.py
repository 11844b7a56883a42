"""pytest plugin: the figure-reproduction check that nbval leaves out.

nbval re-executes every cell and compares its text outputs with those stored in the notebook, but
skips PNG/JPEG images. With this plugin loaded (tests/conftest.py registers it; elsewhere use
``-p nbval_figures`` with tools/ on ``PYTHONPATH``), after each nbval cell the images the cell
produced now must be byte-identical (base64) to the stored ones, in the same order.
"""

from __future__ import annotations

import pytest

IMAGE_TYPES = ("image/png", "image/jpeg")


def stored_images(outputs) -> list[tuple[str, str]]:
    """(mime type, base64 without whitespace) of every image in a list of cell outputs."""
    images = []
    for output in outputs or []:
        data = output.get("data", {}) if hasattr(output, "get") else {}
        for mime in IMAGE_TYPES:
            if mime in data:
                value = data[mime]
                if isinstance(value, list):
                    value = "".join(value)
                images.append((mime, "".join(value.split())))
    return images


def compare_images(new_outputs, stored_outputs) -> str | None:
    """None when the images agree, else a one-line description of the first difference."""
    new, old = stored_images(new_outputs), stored_images(stored_outputs)
    if len(new) != len(old):
        return f"cell produced {len(new)} image(s), the notebook stores {len(old)}"
    for i, ((mime_new, a), (mime_old, b)) in enumerate(zip(new, old)):
        if mime_new != mime_old:
            return f"image {i}: type {mime_new} differs from stored {mime_old}"
        if a != b:
            return f"image {i} ({mime_new}) differs from the stored figure; re-run `make book`"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    new = getattr(item, "test_outputs", None)
    cell = getattr(item, "cell", None)
    if new is not None and cell is not None and type(item).__name__ == "IPyNbCell":
        problem = compare_images(new, cell.get("outputs", []))
        if problem:
            raise AssertionError(f"figure check, {item.name}: {problem}")
    return result
