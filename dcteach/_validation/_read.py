"""Lossless, fast CSV reading with pyarrow: every cell is the string as written.

The file is streamed once through pyarrow's CSV reader with every column
typed as a string, so ``NA``, ``None``, ``007`` and Cyrillic text stay exactly
as written and nothing is guessed. A UTF-8 file is read block by block from
disk (its bytes are never held whole). Rows with too few or too many cells are
handed to pyarrow's ``invalid_row_handler`` with their row number, split by
:mod:`csv` (they are rare) and kept as one extra chunk after the others, so
no column is copied and every row keeps the number Frictionless gives it
(header line = 1). Columns are :class:`pyarrow.ChunkedArray` (one chunk per
block read, plus one for the ragged rows).

The reader is single-threaded on purpose: with every column a string,
parsing is the whole cost, pyarrow's threaded parser was not measurably
faster than its serial one on such files (two cores), and only the serial
parser knows the row number of a ragged row.

>>> t = read_csv_bytes(b"id,n\\r\\nA,007\\r\\nB,NA\\r\\n")
>>> t.labels, t.column(1).to_pylist(), t.row_number(0)
(['id', 'n'], ['007', 'NA'], 2)
>>> t.style.lineterminator == "\\r\\n"
True
"""

from __future__ import annotations

import csv
import dataclasses
import io
import lzma
import os
import zipfile
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

__all__ = ["CsvStyle", "RawTable", "read_csv_bytes", "read_csv_file", "read_table", "sniff_style"]

_BOM = b"\xef\xbb\xbf"


@dataclasses.dataclass(frozen=True)
class CsvStyle:
    """How a CSV file is written, so that saving it again changes no byte."""

    delimiter: str = ","
    quotechar: str = '"'
    lineterminator: str = "\n"
    bom: bool = False
    final_newline: bool = True
    quote_all: bool = False
    encoding: str = "utf-8"


@dataclasses.dataclass
class RawTable:
    """Header labels, string columns and the Frictionless row number of each data row."""

    labels: list[str]
    columns: list[pa.ChunkedArray]
    #: sorted row numbers of the rows with a wrong number of cells, which are the
    #: table's last rows (one extra chunk); None or empty if there are none
    ragged_numbers: np.ndarray | None
    #: (row number, number of cells) of rows whose cell count differs from the header
    ragged: list[tuple[int, int]]
    #: (row number, column number (1-based), value) of cells beyond the header's width
    extra_cells: list[tuple[int, int, str]]
    #: True if invalid bytes were replaced by U+FFFD while decoding
    encoding_damaged: bool
    style: CsvStyle
    header_row: int | None = 1

    @property
    def num_rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    @property
    def in_file_order(self) -> bool:
        """True if data row *i* is the file's *i*-th data row (no ragged row was moved last)."""
        return self.ragged_numbers is None or not len(self.ragged_numbers)

    @property
    def row_numbers(self) -> np.ndarray | None:
        """Row number of every data row, or None when they are simply 2, 3, 4, ... (header = 1)."""
        if self.in_file_order:
            return None
        return self.row_numbers_of(np.arange(self.num_rows))

    def column(self, i: int) -> pa.ChunkedArray:
        return self.columns[i]

    def row_number(self, i: int) -> int:
        """Frictionless row number of data row *i* (0-based)."""
        return int(self.row_numbers_of(np.asarray([i]))[0])

    def row_numbers_of(self, idx: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`row_number`, computed from the few ragged rows' numbers.

        Row *i* before the ragged chunk is the *i*-th row counted from the first
        data row, skipping the ragged rows' numbers (a binary search in them).
        """
        idx = np.asarray(idx, dtype=np.int64)
        base = 2 if self.header_row else 1
        if self.in_file_order:
            return idx + base
        r = np.asarray(self.ragged_numbers, dtype=np.int64)
        n_plain = self.num_rows - len(r)
        out = np.empty(len(idx), np.int64)
        plain = idx < n_plain
        i = idx[plain]
        out[plain] = i + base + np.searchsorted(r - np.arange(len(r)) - base, i, side="right")
        out[~plain] = r[idx[~plain] - n_plain]
        return out


def sniff_style(data: bytes, delimiter: str = ",", quotechar: str = '"') -> CsvStyle:
    """Find line terminator, BOM, final newline and quoting style of CSV bytes.

    >>> s = sniff_style(b'"a","b"\\r\\n"1","2"')
    >>> (s.lineterminator, s.final_newline, s.quote_all)
    ('\\r\\n', False, True)
    """
    bom = data.startswith(_BOM)
    body = data[3:] if bom else data
    nl = body.find(b"\n")
    lineterminator = "\r\n" if nl > 0 and body[nl - 1 : nl] == b"\r" else "\n"
    final_newline = body.endswith(b"\n")
    first = body[: nl if nl >= 0 else len(body)].rstrip(b"\r")
    q = quotechar.encode()
    quote_all = bool(first) and all(
        len(c) >= 2 and c.startswith(q) and c.endswith(q)
        for c in first.split(delimiter.encode())
    )
    return CsvStyle(delimiter, quotechar, lineterminator, bom, final_newline, quote_all)


def _decode_damaged(data: bytes, encoding: str) -> tuple[bytes, bool]:
    try:
        text = data.decode(encoding)
        damaged = False
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
        damaged = True
    return text.encode("utf-8"), damaged


def _is_utf8(encoding: str | None) -> bool:
    return (encoding or "utf-8").lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")


def _is_utf8_error(exc: Exception) -> bool:
    return "utf8" in str(exc).lower()


def read_csv_file(
    path: str | os.PathLike,
    *,
    dialect: dict[str, Any] | None = None,
    encoding: str = "utf-8",
) -> RawTable:
    """Parse the CSV file at *path* losslessly into a :class:`RawTable`.

    A UTF-8 file is streamed from disk (only its first 64 KiB and last byte
    are read separately, to learn its style); a file in another encoding, or
    one with bytes that are not valid UTF-8, is read whole and decoded
    first (invalid bytes become U+FFFD and are flagged). See
    :func:`read_csv_bytes` for *dialect*.
    """
    path = os.fspath(path)
    if not _is_utf8(encoding):
        with open(path, "rb") as fh:
            return read_csv_bytes(fh.read(), dialect=dialect, encoding=encoding)
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        head = fh.read(65536)
        if size > len(head):
            fh.seek(size - 1)
            last = fh.read(1)
        else:
            last = head[-1:]
    if size <= len(head):  # small: nothing to gain from streaming
        return read_csv_bytes(head, dialect=dialect, encoding=encoding)
    try:
        return _read(lambda: pa.OSFile(path, "r"), head, last, dialect, encoding, False)
    except pa.ArrowInvalid as exc:
        if not _is_utf8_error(exc):
            raise
    with open(path, "rb") as fh:
        return read_csv_bytes(fh.read(), dialect=dialect, encoding=encoding)


def read_csv_bytes(
    data: bytes,
    *,
    dialect: dict[str, Any] | None = None,
    encoding: str = "utf-8",
) -> RawTable:
    """Parse CSV bytes losslessly into a :class:`RawTable` (see the module docstring).

    *dialect* is a Frictionless CSV dialect (``delimiter``, ``quoteChar``,
    ``doubleQuote``, ``escapeChar``, ``header``). Invalid bytes for *encoding*
    are replaced by U+FFFD and flagged, never fatal.

    >>> t = read_csv_bytes(b"a,b\\n1\\n2,3,4\\n5,6\\n")
    >>> t.ragged, t.extra_cells
    ([(2, 1), (3, 3)], [(3, 3, '4')])
    >>> sorted(zip(t.row_numbers.tolist(), t.column(1).to_pylist()))  # ragged rows come last
    [(2, None), (3, '3'), (4, '6')]
    """
    final = data[-1:]
    damaged = False
    if not _is_utf8(encoding):
        if data.startswith(_BOM):
            data = data[3:]
        data, damaged = _decode_damaged(data, encoding)
    try:
        return _read(lambda: pa.py_buffer(data), data[:65536], final, dialect, encoding, damaged)
    except pa.ArrowInvalid as exc:
        if not _is_utf8_error(exc):
            raise
    if data.startswith(_BOM):
        data = data[3:]
    data, _ = _decode_damaged(data, "utf-8")
    return _read(lambda: pa.py_buffer(data), data[:65536], final, dialect, encoding, True)


def _read(
    source: Any, head: bytes, last: bytes, dialect: dict[str, Any] | None, encoding: str, damaged: bool
) -> RawTable:
    """Parse what ``source()`` opens; *head* is its first bytes and *last* its last byte."""
    dialect = dict(dialect or {})
    delimiter = dialect.get("delimiter", ",")
    quotechar = dialect.get("quoteChar", '"')
    has_header = dialect.get("header", True)
    style = sniff_style(head, delimiter, quotechar or '"')
    style = dataclasses.replace(style, encoding=encoding or "utf-8", final_newline=last == b"\n")
    body = head[3:] if head.startswith(_BOM) else head
    if not body.strip():
        return RawTable([], [], None, [], [], damaged, style, 1 if has_header else None)

    invalid: list[tuple[int, int, str]] = []

    def handler(row: Any) -> str:
        invalid.append((row.number, row.actual_columns, row.text))
        return "skip"

    parse_opts = pacsv.ParseOptions(
        delimiter=delimiter,
        quote_char=quotechar if quotechar else False,
        double_quote=dialect.get("doubleQuote", True),
        escape_char=dialect.get("escapeChar") or False,
        newlines_in_values=bool(quotechar),
        ignore_empty_lines=False,
        invalid_row_handler=handler,
    )
    read_opts = pacsv.ReadOptions(autogenerate_column_names=True, use_threads=False, block_size=1 << 20)
    table = pacsv.read_csv(
        source(),
        read_options=read_opts,
        parse_options=parse_opts,
        convert_options=_convert_options(body, delimiter, quotechar),
    )
    width = table.num_columns
    cols = list(table.columns)
    del table
    ragged_numbers: np.ndarray | None = None
    extra_cells: list[tuple[int, int, str]] = []
    ragged: list[tuple[int, int]] = []
    if invalid:
        invalid.sort(key=lambda r: r[0])
        fmt: dict[str, Any] = {"delimiter": delimiter, "quotechar": quotechar or '"'}
        if not quotechar:
            fmt["quoting"] = csv.QUOTE_NONE
        extra_cols: list[list[str | None]] = [[] for _ in range(width)]
        numbers = []
        for number, n_cells, text in invalid:
            cells = next(csv.reader(io.StringIO(text), **fmt), [])
            ragged.append((number, n_cells))
            numbers.append(number)
            for j in range(width):
                extra_cols[j].append(cells[j] if j < len(cells) else None)
            for j in range(width, len(cells)):
                extra_cells.append((number, j + 1, cells[j]))
        ragged_numbers = np.asarray(numbers, dtype=np.int64)
        # ragged rows are one extra chunk after the others (no copy of any column);
        # ragged_numbers says where they were
        cols = [pa.chunked_array(c.chunks + [pa.array(e, type=pa.string())], type=pa.string())
                for c, e in zip(cols, extra_cols)]
    if has_header:
        labels = [c[0].as_py() or "" for c in cols]
        cols = [c.slice(1) for c in cols]
        ragged = [(n, k) for n, k in ragged if n != 1]
    else:
        labels = list(dialect.get("_labels", [f"field{i + 1}" for i in range(width)]))
    return RawTable(
        labels, cols, ragged_numbers, ragged, extra_cells, damaged, style, 1 if has_header else None
    )


def _convert_options(head: bytes, delimiter: str, quotechar: Any) -> Any:
    # The number of columns is the first row's; type all of them as strings.
    first = head[: head.find(b"\n") + 1 or len(head)].decode("utf-8", errors="replace")
    fmt = {"delimiter": delimiter, "quotechar": quotechar or '"'}
    n = len(next(csv.reader(io.StringIO(first), **fmt), [""]))
    n = max(n, 1) + 64  # generous: a quoted newline in the header is harmless
    return pacsv.ConvertOptions(
        column_types={f"f{i}": pa.string() for i in range(n)},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )


_SPREADSHEETS = {"xlsx", "xls", "xlsm", "ods", "numbers"}
_COMPRESSED = {"gz": "gzip", "bz2": "bz2", "xz": "lzma", "zip": "zip"}
_NOT_TABLES = {"json", "ndjson", "jsonl", "parquet", "sqlite", "db", "html", "xml", "pdf", "inline"}


def _suffixes(res: Any) -> list[str]:
    fmt = str(res.descriptor.get("format") or "").lower()
    return [s.lstrip(".").lower() for s in res.path.suffixes] + ([fmt] if fmt else [])


def read_table(res: Any, dialect: dict[str, Any]) -> RawTable:
    """Read a resource's file (``res.path``, ``res.encoding``, ``res.descriptor``) into a :class:`RawTable`.

    A CSV compressed with gzip, bzip2 or xz, or alone in a zip archive, is
    read; a spreadsheet, a binary file or a non-tabular format is refused
    with one line (:class:`UsageError`, exit status 2) saying what to do.
    """
    from dcteach._errors import UsageError

    path, names = res.path, _suffixes(res)
    compression = res.descriptor.get("compression") or next((_COMPRESSED[s] for s in names if s in _COMPRESSED), None)
    if any(s in _SPREADSHEETS for s in names):
        raise UsageError(f"{path}: a spreadsheet cannot be validated here; save the sheet as CSV (UTF-8) "
                         "and point the resource's \"path\" to that file")
    if any(s in _NOT_TABLES for s in names) and not compression:
        raise UsageError(f"{path}: not a CSV file ({names[-1]}); only CSV resources can be validated here: "
                         "convert it to CSV or leave its \"schema\" out")
    try:
        if compression:
            data = _decompress(path, str(compression))
        else:
            with open(path, "rb") as fh:
                data = fh.read(65536)
            data = None if b"\x00" not in data else data
            if data is not None:
                raise UsageError(f"{path}: a binary file, not CSV text (it holds NUL bytes); "
                                 "give the path of the CSV file, or export the data as CSV (UTF-8)")
        if data is not None:
            if b"\x00" in data[:65536]:
                raise UsageError(f"{path}: the archive does not hold CSV text (NUL bytes); "
                                 "put a CSV (UTF-8) file in it")
            return read_csv_bytes(data, dialect=dialect, encoding=res.encoding)
        return read_csv_file(path, dialect=dialect, encoding=res.encoding)
    except UsageError:
        raise
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, csv.Error, OSError, EOFError, ValueError,
            LookupError, zipfile.BadZipFile, lzma.LZMAError) as exc:
        reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise UsageError(f"{path}: cannot be read as CSV ({reason}); check that it is a CSV text file "
                         "with the declared encoding and dialect") from None


def _decompress(path: Any, compression: str) -> bytes:
    from dcteach._errors import UsageError

    import bz2
    import gzip

    if compression == "zip":
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise UsageError(f"{path}: the zip archive holds {len(members)} files; "
                                 "a resource is one CSV file: zip exactly one, or unzip it")
            return zf.read(members[0])
    opener = {"gzip": gzip.open, "gz": gzip.open, "bz2": bz2.open, "lzma": lzma.open, "xz": lzma.open}.get(compression)
    if opener is None:
        raise UsageError(f"{path}: unknown compression {compression!r}; use gz, bz2, xz or zip, or uncompress it")
    with opener(path, "rb") as fh:
        return fh.read()
