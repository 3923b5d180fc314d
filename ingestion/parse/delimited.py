"""CSV and TSV: a sheet in text, read like one (see spreadsheet.add_grid), in whatever
encoding it was saved."""

import csv
import io

from ingestion.parse.base import Outline, ParseError, ParseLimits
from ingestion.parse.encoding import decode_text, refuse_binary_text
from ingestion.parse.spreadsheet import add_grid

_DELIMITERS = ",;\t|"


def parse_csv(data: bytes, limits: ParseLimits) -> Outline:
    decoded = decode_text(data)
    refuse_binary_text(decoded.text)
    try:
        dialect = csv.Sniffer().sniff(decoded.text[:20_000], delimiters=_DELIMITERS)
        delimiter = dialect.delimiter
    except csv.Error:  # one column, or too irregular to tell: commas
        delimiter = "\t" if decoded.text.count("\t") > decoded.text.count(",") else ","
    rows, cells = [], 0
    try:
        for row in csv.reader(io.StringIO(decoded.text, newline=""), delimiter=delimiter):
            cells += sum(1 for cell in row if cell.strip())
            if cells > limits.max_cells:
                raise ParseError(f"the file has more than {limits.max_cells:,} filled cells, over the limit")
            rows.append([" ".join(cell.split()) for cell in row])
    except csv.Error as exc:
        raise ParseError(f"the CSV file cannot be read ({exc})") from exc
    outline = Outline(encoding=decoded.encoding)
    add_grid(outline, rows)
    return outline
