"""Load the curated data package: list, load and describe its tables.

The data live in ``datasets/`` as a Frictionless Data Package (CSV files and
``datapackage.json``); the wheel ships the same folder inside the package. The
descriptor is the single source of truth for column types, category order,
translations of category labels and provenance.

Examples
--------
>>> import dcteach as dc
>>> names = dc.list_datasets()
>>> names["enablers"]
'Enablers of digital customs'
>>> df = dc.load_dataset("enablers")
>>> list(df["tier"].cat.categories)
['core', 'additional']
>>> dc.load_dataset("enablers", lang="ru")["tier"].iloc[0]
'основной (ПТК, март 2016)'
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import io
import json
import os
from importlib import resources
from pathlib import Path

import pandas as pd

from dcteach._errors import DatasetError, UnknownDatasetError, UsageError
from dcteach._jsondoc import loads_located

__all__ = [
    "LANGUAGES",
    "Description",
    "check_lang",
    "core_dir",
    "default_lang",
    "describe",
    "enum_labels",
    "list_datasets",
    "load_dataset",
    "resolve_lang",
]

#: Languages for labels: English (the article's copy) and Russian (our translation).
LANGUAGES = ("en", "ru")

_RESTORE = (
    "restore it with `git checkout -- datasets/` in a clone of dcteach, "
    "or reinstall the package (`pip install --force-reinstall dcteach`)"
)


def core_dir() -> Path:
    """Return the folder that holds the core data package.

    Inside an installed wheel this is ``dcteach/datasets``; in a source
    checkout (editable install) it is the repository's ``datasets/``.

    >>> (core_dir() / "datapackage.json").is_file()
    True
    """
    packaged = Path(str(resources.files("dcteach"))) / "datasets"
    if (packaged / "datapackage.json").is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "datasets"


@functools.lru_cache(maxsize=4)
def _descriptor(folder: Path) -> dict:
    path = folder / "datapackage.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(f"{path}: the data package descriptor is missing; {_RESTORE}") from None
    return loads_located(text, str(path), DatasetError, _RESTORE)


def _resources() -> dict[str, dict]:
    return {r["name"]: r for r in _descriptor(core_dir())["resources"]}


def check_lang(lang: str) -> str:
    """Return ``lang`` if dcteach speaks it; else raise a usage error listing the languages.

    The one language check of the package: loaders, widgets, feedback and the
    CLI all go through it (or :func:`resolve_lang`).

    >>> check_lang("xx")
    Traceback (most recent call last):
    ...
    dcteach.UsageError: unsupported language 'xx'; supported languages: 'en', 'ru'
    """
    if lang not in LANGUAGES:
        raise UsageError(
            f"unsupported language {lang!r}; supported languages: "
            + ", ".join(repr(x) for x in LANGUAGES)
        )
    return lang


def _resource(name: str) -> dict:
    if not isinstance(name, str):
        raise UsageError(
            f"a dataset name is a string such as 'instruments', not {type(name).__name__}"
        )
    res = _resources()
    if name not in res:
        close = difflib.get_close_matches(name, list(res), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownDatasetError(
            f"no dataset named {name!r}.{hint} Valid names: {', '.join(res)}"
        )
    return res[name]


def list_datasets() -> dict[str, str]:
    """Return the names of the tables with a one-line title, in course order.

    Returns
    -------
    dict
        ``{name: title}``; pass a name to :func:`load_dataset`.

    >>> list(list_datasets())[:3]
    ['enablers', 'priority_areas', 'competency_types']
    """
    return {name: r.get("title", "") for name, r in _resources().items()}


def _read_bytes(resource: dict, folder: Path) -> bytes:
    path = folder / resource["path"]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"{path}: data file is missing; {_RESTORE}") from None
    expected = resource.get("hash", "")
    if expected.startswith("sha256:") and hashlib.sha256(data).hexdigest() != expected[7:]:
        raise DatasetError(
            f"{path}: the file differs from the published data package (checksum mismatch); "
            f"{_RESTORE}. To add your own rows, use an extension instead of editing core files "
            "(see `dcteach extension new`)."
        )
    return data


def enum_labels(field: dict, lang: str) -> dict[str, str]:
    """``{code: label}`` of an enum field of the descriptor in ``lang`` (the code if unlabelled)."""
    labels = field.get("dcteach:labels", {})
    return {v: labels.get(v, {}).get(lang, v) for v in field.get("constraints", {}).get("enum", [])}



def _convert(df: pd.DataFrame, schema: dict, lang: str, path: Path) -> pd.DataFrame:
    """Type the columns of ``df`` (read as text, missing values already NA) by the schema."""
    out = {}
    for field in schema["fields"]:
        name = field["name"]
        col = df[name]
        try:
            values = _typed(col, field)
        except (ValueError, TypeError) as exc:
            raise DatasetError(
                f"{path}: column {name!r} does not hold {field.get('type', 'string')} values as the descriptor "
                f"says ({exc}); {_RESTORE}"
            ) from None
        categories = field.get("constraints", {}).get("enum")
        if categories:
            # typed like the values (an integer enum [2019, 2023] is integers, not text)
            typed = _typed(pd.Series([str(v).lower() if isinstance(v, bool) else str(v) for v in categories],
                                     dtype=object), field)
            cat = pd.Categorical(values, categories=list(dict.fromkeys(typed.tolist())), ordered=True)
            if lang != "en":
                cat = cat.rename_categories(list(enum_labels(field, lang).values()))
            values = pd.Series(cat, index=col.index)
        out[name] = values
    return pd.DataFrame(out)


def _typed(col: pd.Series, field: dict) -> pd.Series:
    """The core's column *col* (text, missing values NA) typed by its *field*; ValueError if it cannot be."""
    ftype = field.get("type", "string")
    if ftype == "integer":
        return pd.to_numeric(col, errors="raise").astype("Int64")
    if ftype == "number":
        return pd.to_numeric(col, errors="raise").astype("Float64")
    if ftype == "boolean":
        truth = {v: True for v in field.get("trueValues", ["true", "True", "TRUE", "1"])}
        truth.update({v: False for v in field.get("falseValues", ["false", "False", "FALSE", "0"])})
        values = col.map(truth).astype("boolean")
        bad = values.isna() & col.notna()
        if bad.any():
            raise ValueError(f"{col[bad].iloc[0]!r} is not one of {sorted(truth)}")
        return values
    if ftype == "date":
        return pd.to_datetime(col, format="%Y-%m-%d", errors="raise")
    return col


def _read_text_table(data: bytes, schema: dict, path: Path) -> pd.DataFrame:
    """Read CSV bytes as text; only the schema's ``missingValues`` become NA."""
    missing = schema.get("missingValues", [""])
    try:
        return pd.read_csv(
            io.BytesIO(data), dtype=str, keep_default_na=False, na_values=missing, encoding="utf-8"
        )
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DatasetError(f"{path}: cannot be read as UTF-8 CSV ({exc}); {_RESTORE}") from None


def load_dataset(name: str, *, lang: str = "en", extra: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load one table of the data package as a pandas DataFrame.

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`, e.g. ``"instruments"``.
    lang : {"en", "ru"}, keyword-only
        Language of the labels. ``"ru"`` puts the Russian columns (``name_ru``,
        ``definition_ru``...) first and shows category values (e.g. an
        instrument's group) with their Russian labels. Russian text is our
        translation, not the article's.
    extra : path, optional, keyword-only
        A researcher's extension folder (see ``dcteach extension new``). Its rows
        are appended to the core table (or its own table is loaded), after the
        extension has been validated against the core; an invalid extension
        raises :class:`dcteach.DatasetError` listing every problem as
        ``file:row:column: problem``. Columns the schemas do not know are kept,
        as text.

    Returns
    -------
    pandas.DataFrame
        One row per item, columns as in the descriptor; integers are ``Int64``,
        booleans ``boolean``, categories ordered as in the descriptor, and an
        empty cell is missing (``<NA>``). ``df.attrs`` records ``name`` and ``lang``.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones) or language.
    dcteach.DatasetError
        If a data file is missing or corrupted (the message says how to restore it).

    Examples
    --------
    >>> ins = load_dataset("instruments")
    >>> ins.groupby("group", observed=True).size().to_dict()
    {'strategic': 3, 'political_legal': 6, 'operational': 15}
    >>> load_dataset("instrumnets")
    Traceback (most recent call last):
    ...
    dcteach.UnknownDatasetError: no dataset named 'instrumnets'. Did you mean 'instruments'? Valid names: ...
    """
    if extra is not None:
        return _extension_hook("load")(name, lang=lang, extra=extra)
    resource = _resource(name)
    check_lang(lang)
    folder = core_dir()
    data = _read_bytes(resource, folder)
    path = folder / resource["path"]
    schema = resource["schema"]
    raw = _read_text_table(data, schema, path)
    expected = [f["name"] for f in schema["fields"]]
    if list(raw.columns) != expected:
        raise DatasetError(
            f"{path}: header {list(raw.columns)} does not match the descriptor {expected}; {_RESTORE}"
        )
    df = _convert(raw, schema, lang, path)
    df = _order_columns(df, lang)
    df.attrs.update(name=name, lang=lang)
    # headers in lang, and wide tables reachable by keyboard, when a notebook shows the table
    # (the hook is registered by dcteach/__init__.py; it is a no-op outside IPython)
    for hook in _DISPLAY_HOOKS:
        hook()
    return df


def _order_columns(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    if lang == "en" or "id" not in df.columns:
        return df
    first = sorted((c for c in df.columns if c.endswith(f"_{lang}")), key=lambda c: c != f"name_{lang}")
    rest = [c for c in df.columns if c not in first and c != "id"]
    return df[["id", *first, *rest]]


#: called on every load in a language other than English; :mod:`dcteach` (a floor above, which
#: this module never imports) registers :func:`dcteach._display.register`, the display formatter
#: that shows such tables with headers in their language in IPython
_DISPLAY_HOOKS: list = []

#: loaders of extensions, registered by :mod:`dcteach._extension` (a floor above this one, which
#: this module never imports): {"load": load_dataset with extra=, "describe": describe with extra=}
_EXTENSION_HOOKS: dict = {}


def _extension_hook(what: str):
    try:
        return _EXTENSION_HOOKS[what]
    except KeyError:
        raise UsageError("extensions are not available: import dcteach (the package) first") from None


class Description:
    """What a table is, for students and for papers: title, fields, sources, licence.

    Returned by :func:`describe`. ``str()`` gives plain text; in a notebook it
    renders as Markdown.
    """

    def __init__(self, name: str, resource: dict, package: dict, folder: str = "datasets"):
        self.name = name
        self.folder = folder
        self.title = resource.get("title", name)
        self.description = resource.get("description", "")
        self.fields = pd.DataFrame(
            [
                {
                    "field": f["name"],
                    "type": f.get("type", "string"),
                    "required": bool(f.get("constraints", {}).get("required")),
                    "values": ", ".join(map(str, f.get("constraints", {}).get("enum", []))),
                    "description": f.get("description", f.get("title", "")),
                }
                for f in resource["schema"]["fields"]
            ]
        )
        self.licence = ", ".join(lic.get("name", "") for lic in package.get("licenses", []))
        self.version = package.get("version", "")
        self.source = "; ".join(s.get("title", "") for s in package.get("sources", []))
        self.path = resource["path"]

    def __repr__(self) -> str:
        # the whole description: what a REPL shows for ``describe("x")``
        return str(self)

    def __str__(self) -> str:
        lines = [
            f"{self.name}: {self.title}",
            self.description,
            f"File: {self.folder}/{self.path} (data package {self.version}, licence {self.licence})",
            f"Source: {self.source}",
            "Fields:",
        ]
        for row in self.fields.itertuples():
            req = ", required" if row.required else ""
            vals = f"; values: {row.values}" if row.values else ""
            lines.append(f"  - {row.field} ({row.type}{req}){vals}: {row.description}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        e = html.escape
        rows = "".join(
            f"<tr><td><code>{e(r.field)}</code></td><td>{e(r.type)}</td><td>{'yes' if r.required else ''}</td>"
            f"<td>{e(r.values)}</td><td>{e(r.description)}</td></tr>"
            for r in self.fields.itertuples()
        )
        return (
            f'<div class="dcteach-description"><p><b>{e(self.name)}</b> — {e(self.title)}</p>'
            f"<p>{e(self.description)}</p>"
            f"<p><i>File</i> <code>datasets/{e(self.path)}</code> · <i>data package</i> {e(self.version)}"
            f" · <i>licence</i> {e(self.licence)}</p><p><i>Source</i>: {e(self.source)}</p>"
            '<table class="dcteach-table"><caption>Fields</caption><thead><tr><th scope="col">field</th>'
            '<th scope="col">type</th><th scope="col">required</th><th scope="col">values</th>'
            f'<th scope="col">description</th></tr></thead><tbody>{rows}</tbody></table></div>'
        )

    def _repr_markdown_(self) -> str:
        rows = "\n".join(
            f"| `{r.field}` | {r.type} | {'yes' if r.required else ''} | {r.values} | {r.description} |"
            for r in self.fields.itertuples()
        )
        return (
            f"**{self.name}** — {self.title}\n\n{self.description}\n\n"
            f"*File* `{self.folder}/{self.path}` · *data package* {self.version} · *licence* {self.licence}\n\n"
            f"*Source*: {self.source}\n\n"
            "| field | type | required | values | description |\n|---|---|---|---|---|\n" + rows
        )


def describe(name: str, *, extra: str | os.PathLike | None = None) -> Description:
    """Describe a table: its title, fields (type, constraints), source and licence.

    With ``extra`` (an extension folder), a table of the extension is
    described, or a core table with the columns the extension adds to it.

    >>> d = describe("instruments")
    >>> d.title
    'WCO instruments and tools'
    >>> d.licence
    'CC-BY-4.0'
    >>> d.fields.set_index("field").loc["group", "values"]
    'strategic, political_legal, operational'
    """
    if extra is not None:
        return _extension_hook("describe")(name, extra=extra)
    resource = _resource(name)
    return Description(name, resource, _descriptor(core_dir()))


def resolve_lang(lang: str | None) -> str:
    """``lang`` checked by :func:`check_lang`, or :func:`default_lang` when ``None``.

    >>> resolve_lang("ru")
    'ru'
    """
    return default_lang() if lang is None else check_lang(lang)


def default_lang() -> str:
    """Language for widgets and feedback when none is given: ``$DCTEACH_LANG`` or English."""
    lang = os.environ.get("DCTEACH_LANG", "en")
    return lang if lang in LANGUAGES else "en"
