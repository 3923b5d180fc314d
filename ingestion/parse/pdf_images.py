"""How much of a PDF page its images cover, from the page's drawing operations: a scan is an
image drawn over (nearly) the whole page, whatever its pixel size and however it is drawn (an
image object, an inline image, or either inside a form). Nothing is decoded here.

Only the area matters, and the area a transformation gives the unit square an image is
drawn into is its determinant; the determinant of a product is the product of the
determinants, so one number per graphics state is all that is tracked."""

from typing import Any

_MAX_FORM_DEPTH = 3  # forms drawn inside forms; deeper ones are not followed


def image_coverage(page: Any) -> float:
    """The share of the page's area drawn over by images, at most 1 (overlaps add up)."""
    box = page.mediabox
    area = abs(float(box.width) * float(box.height))
    contents = page.get_contents()
    if area <= 0 or contents is None:
        return 0.0
    return min(_drawn(contents.operations, page.get("/Resources"), page.pdf, 1.0, 0) / area, 1.0)


def _drawn(operations: list, resources: Any, pdf: Any, scale: float, depth: int) -> float:
    """The area images are drawn over by these operations, `scale` being the area factor of
    the transformation in force when they start."""
    from pypdf.generic import ContentStream

    xobjects = _xobjects(resources)
    stack: list[float] = []
    total = 0.0
    for operands, operator in operations:
        if operator == b"q":
            stack.append(scale)
        elif operator == b"Q" and stack:
            scale = stack.pop()
        elif operator == b"cm" and len(operands) == 6:
            scale *= _determinant(operands)
        elif operator == b"INLINE IMAGE":
            total += scale
        elif operator == b"Do" and operands and operands[0] in xobjects:
            xobject = xobjects[operands[0]].get_object()
            subtype = xobject.get("/Subtype")
            if subtype == "/Image":
                total += scale
            elif subtype == "/Form" and depth < _MAX_FORM_DEPTH:
                matrix = xobject.get("/Matrix")
                inner = scale * (_determinant(matrix) if matrix is not None and len(matrix) == 6 else 1.0)
                form = ContentStream(xobject, pdf)
                total += _drawn(
                    form.operations, xobject.get("/Resources") or resources, pdf, inner, depth + 1
                )
    return total


def _xobjects(resources: Any) -> dict:
    resources = resources.get_object() if resources is not None else None
    xobjects = resources.get("/XObject") if resources is not None else None
    return dict(xobjects.get_object()) if xobjects is not None else {}


def _determinant(matrix: Any) -> float:
    a, b, c, d = (float(value) for value in list(matrix)[:4])
    return abs(a * d - b * c)
