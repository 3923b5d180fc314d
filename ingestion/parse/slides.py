"""PowerPoint (.pptx): each slide a section headed by its number and title, its text boxes
in reading order (top to bottom, then left to right), its tables row by row with their
header, and its speaker notes. python-pptx is imported inside the function, so that the web
app does not load it. A slide's number is its page, as a citation shows it."""

import io

from ingestion.parse.base import Outline, ParseError, ParseLimits


def parse_pptx(data: bytes, limits: ParseLimits) -> Outline:
    from pptx import Presentation

    try:
        presentation = Presentation(io.BytesIO(data))
        slides = list(presentation.slides)
        if len(slides) > limits.max_slides:
            raise ParseError(
                f"the presentation has {len(slides)} slides, over the limit of {limits.max_slides}"
            )
        outline = Outline()
        first_title = ""
        for number, slide in enumerate(slides, 1):
            title_shape = slide.shapes.title
            title = " ".join(title_shape.text_frame.text.split()) if title_shape is not None else ""
            first_title = first_title or title
            outline.heading(1, f"Slide {number}: {title}" if title else f"Slide {number}")
            for shape in _in_reading_order(slide.shapes):
                if title_shape is None or shape.shape_id != title_shape.shape_id:
                    _add_shape(outline, shape, number)
            if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
                notes = " ".join(slide.notes_slide.notes_text_frame.text.split())
                outline.add(f"Speaker notes: {notes}" if notes else "", number)
        core_title = presentation.core_properties.title
    except ParseError:
        raise
    except Exception as exc:  # python-pptx and lxml raise many types on damaged parts
        raise ParseError(
            f"the PowerPoint file is damaged and cannot be read ({exc.__class__.__name__})"
        ) from exc
    outline.title = (core_title or "").strip() or first_title or None
    return outline


def _in_reading_order(shapes) -> list:
    return sorted(shapes, key=lambda shape: (shape.top or 0, shape.left or 0))


def _add_shape(outline: Outline, shape, page: int) -> None:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
        for child in _in_reading_order(shape.shapes):
            _add_shape(outline, child, page)
    elif getattr(shape, "has_table", False) and shape.has_table:
        table = shape.table
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        outline.table(rows, page, header=True if table.first_row and len(rows) > 1 else None)
    elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        for paragraph in shape.text_frame.paragraphs:
            outline.add(" ".join(paragraph.text.split()), page)
