"""Agreement between coders (pure functions): Cohen's κ, Fleiss' κ, Krippendorff's α, disagreements.

Every function takes a **long codings table**: one row per segment, coder and
code (columns ``segment_id``, ``coder``, ``code``, as in an extension's
``codings`` table; other names through ``columns=``). Each coder gives one
code per segment; a coder who skipped a segment simply has no row for it.

Each statistic is returned as an :class:`Agreement`: a ``float`` (so it
compares, rounds and formats like one) that also says how many segments and
coders it rests on, the observed and expected agreement and — when the
statistic is **undefined** — why, in ``note``. κ and α are undefined when the
expected agreement is 1: every answer used one and the same code, so there is
no variance to agree on and the formula gives 0/0 (Cohen 1960, Fleiss 1971
and Krippendorff 2011 leave it undefined; we do not guess 0 or 1). The value
is then ``nan`` and ``defined`` is false.

How missing codings are treated:

- Cohen's κ uses the segments both coders coded;
- Fleiss' κ uses the segments with at least two codings, each with its own
  number of coders (the per-segment agreement of Fleiss 1971, averaged);
- Krippendorff's α uses every pairable value (segments with at least two
  codings), the way α is defined for missing data (computed by the
  ``krippendorff`` package, nominal level).

Examples
--------
>>> codings = pd.DataFrame({"segment_id": ["S1", "S1", "S2", "S2", "S3", "S3", "S4"],
...                         "coder": ["A", "B", "A", "B", "A", "B", "A"],
...                         "code": ["EN-01", "EN-01", "EN-02", "EN-02", "EN-01", "EN-02", "EN-03"]})
>>> k = cohen_kappa(codings)
>>> round(k, 3), k.units, k.coders
(0.4, 3, 2)
>>> disagreements(codings)
  segment_id      A      B
0         S3  EN-01  EN-02
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

__all__ = [
    "Agreement",
    "coder_agreement",
    "coding_counts",
    "coding_matrix",
    "cohen_kappa",
    "disagreements",
    "fleiss_kappa",
    "krippendorff_alpha",
]

_COLUMNS = ("segment_id", "coder", "code")


class Agreement(float):
    """A κ or α value (a ``float``; ``nan`` when undefined) with what it rests on.

    Attributes
    ----------
    statistic : str
        ``"cohen_kappa"``, ``"fleiss_kappa"`` or ``"krippendorff_alpha"``.
    units : int
        Segments the value rests on.
    coders : int
        Coders (raters) seen in those segments.
    observed, expected : float
        Observed and chance agreement (for α: 1 − Dₒ and 1 − Dₑ, from the coincidences of pairable values).
    note : str
        Why the value is undefined (empty when it is defined).

    >>> a = Agreement("fleiss_kappa", float("nan"), units=1, coders=2, observed=1.0, expected=1.0,
    ...               note="undefined: every answer is the same code")
    >>> a.defined, f"{a:.2f}"
    (False, 'nan')
    """

    def __new__(cls, statistic: str, value: float, *, units: int, coders: int,
                observed: float = float("nan"), expected: float = float("nan"), note: str = ""):
        self = super().__new__(cls, value)
        self.statistic, self.units, self.coders = statistic, int(units), int(coders)
        self.observed, self.expected, self.note = float(observed), float(expected), note
        return self

    @property
    def defined(self) -> bool:
        """False when the statistic is undefined (see ``note``)."""
        return not np.isnan(self)

    @property
    def value(self) -> float:
        """The plain float."""
        return float(self)

    def __repr__(self) -> str:
        shown = f"{float(self):.4g}" if self.defined else "undefined"
        extra = f", note={self.note!r}" if self.note else ""
        return f"Agreement({self.statistic}={shown}, units={self.units}, coders={self.coders}{extra})"

    def __reduce__(self):
        return (_rebuild, (self.statistic, float(self), self.units, self.coders, self.observed,
                           self.expected, self.note))


def _rebuild(statistic, value, units, coders, observed, expected, note):
    return Agreement(statistic, value, units=units, coders=coders, observed=observed, expected=expected, note=note)


_NO_VARIANCE = ("undefined: every answer is the same code ({code}), so chance agreement is 1 and the "
                "statistic is 0/0; observed agreement is {observed:.0%}. Code more varied segments")


def _long(codings: pd.DataFrame, columns: tuple[str, str, str] | None) -> pd.DataFrame:
    seg, coder, code = columns or _COLUMNS
    missing = [c for c in (seg, coder, code) if c not in codings.columns]
    if missing:
        raise ValueError(f"the codings table has no column {', '.join(map(repr, missing))}; it needs one row per "
                         f"segment, coder and code (columns {seg!r}, {coder!r}, {code!r}; others via columns=)")
    df = pd.DataFrame({"segment_id": codings[seg], "coder": codings[coder], "code": codings[code]})
    df = df[df["code"].notna() & (df["code"].astype(str) != "")]
    dup = df.duplicated(["segment_id", "coder"], keep=False)
    if dup.any():
        first = df[dup].iloc[0]
        raise ValueError(f"coder {first['coder']!r} gave segment {first['segment_id']!r} more than one code "
                         f"({', '.join(map(str, df.loc[dup & (df['segment_id'] == first['segment_id']) & (df['coder'] == first['coder']), 'code']))}); "
                         "agreement needs one code per segment and coder: keep one, or split the segment")
    return df


class _Coded:
    """A long codings table as integers: segments × coders matrix of code numbers (−1 = skipped)."""

    def __init__(self, df: pd.DataFrame):
        seg_codes, self.segments = pd.factorize(df["segment_id"], sort=True)
        coder_codes, self.coders = pd.factorize(df["coder"], sort=True)
        code_codes, self.codes = pd.factorize(df["code"], sort=True)
        self.matrix = np.full((len(self.segments), len(self.coders)), -1, dtype=np.int64)
        self.matrix[seg_codes, coder_codes] = code_codes

    def counts(self) -> np.ndarray:
        """Segments × codes: how many coders gave each code."""
        n_seg, n_codes = self.matrix.shape[0], len(self.codes)
        rows, cols = np.nonzero(self.matrix >= 0)
        flat = rows * n_codes + self.matrix[rows, cols]
        return np.bincount(flat, minlength=n_seg * n_codes).reshape(n_seg, n_codes)


def coding_matrix(codings: pd.DataFrame, *, columns: tuple[str, str, str] | None = None) -> pd.DataFrame:
    """Segments × coders: each coder's code (``NaN`` where a coder skipped a segment).

    >>> m = coding_matrix(pd.DataFrame({"segment_id": ["S1", "S1", "S2"], "coder": ["A", "B", "A"],
    ...                                 "code": ["x", "y", "x"]}))
    >>> m.loc["S2"].tolist()
    ['x', nan]
    """
    c = _Coded(_long(codings, columns))
    labels = np.asarray(c.codes, dtype=object)
    values = np.where(c.matrix >= 0, labels[np.maximum(c.matrix, 0)] if len(labels) else None, np.nan)
    return pd.DataFrame(values, index=pd.Index(c.segments, name="segment_id"), columns=list(c.coders))


def coding_counts(codings: pd.DataFrame, *, columns: tuple[str, str, str] | None = None) -> pd.DataFrame:
    """Segments × codes: how many coders gave each code (the input of :func:`fleiss_kappa`).

    >>> coding_counts(pd.DataFrame({"segment_id": ["S1", "S1"], "coder": ["A", "B"], "code": ["x", "y"]}))
                x  y
    segment_id      
    S1          1  1
    """
    c = _Coded(_long(codings, columns))
    return pd.DataFrame(c.counts(), index=pd.Index(c.segments, name="segment_id"), columns=list(c.codes))


def _cohen(c: _Coded, a: int, b: int) -> Agreement:
    x, y = c.matrix[:, a], c.matrix[:, b]
    both = (x >= 0) & (y >= 0)
    x, y = x[both], y[both]
    n = len(x)
    if n == 0:
        return Agreement("cohen_kappa", np.nan, units=0, coders=2,
                         note="undefined: the two coders coded no segment in common")
    k = len(c.codes)
    po = float(np.mean(x == y))
    pe = float(np.dot(np.bincount(x, minlength=k) / n, np.bincount(y, minlength=k) / n))
    if pe >= 1 - 1e-12:
        return Agreement("cohen_kappa", np.nan, units=n, coders=2, observed=po, expected=1.0,
                         note=_NO_VARIANCE.format(code=c.codes[x[0]], observed=po))
    return Agreement("cohen_kappa", (po - pe) / (1 - pe), units=n, coders=2, observed=po, expected=pe)


def cohen_kappa(codings: pd.DataFrame, coders: tuple[str, str] | None = None, *,
                columns: tuple[str, str, str] | None = None) -> Agreement:
    """Cohen's κ of two coders over the segments both coded.

    κ = (pₒ − pₑ) / (1 − pₑ), pₒ the share of segments with the same code and
    pₑ = Σₖ p_Aₖ p_Bₖ from each coder's own shares of the codes (Cohen 1960).

    >>> codings = pd.DataFrame({"segment_id": [1, 1, 2, 2], "coder": ["A", "B"] * 2, "code": ["x", "x", "y", "x"]})
    >>> round(cohen_kappa(codings), 3)
    0.0
    """
    c = _Coded(_long(codings, columns))
    names = list(c.coders)
    if coders is None:
        if len(names) != 2:
            raise ValueError(f"Cohen's κ compares two coders; the table has {len(names)} "
                             f"({', '.join(map(str, names))}): pass coders=(A, B), or use fleiss_kappa / "
                             "krippendorff_alpha for more")
        coders = tuple(names)
    unknown = [x for x in coders if x not in names]
    if unknown:
        raise ValueError(f"no coder {unknown[0]!r} in the table; coders are {', '.join(map(str, names))}")
    return _cohen(c, names.index(coders[0]), names.index(coders[1]))


def fleiss_kappa(counts: pd.DataFrame) -> Agreement:
    """Fleiss' κ of a segments × codes table of counts (segments with fewer than 2 answers dropped).

    Each segment's agreement Pᵢ = (Σⱼ nᵢⱼ² − nᵢ) / (nᵢ(nᵢ − 1)) uses its own
    number of answers nᵢ; κ = (P̄ − Pₑ) / (1 − Pₑ) with Pₑ = Σⱼ pⱼ² from all
    answers (Fleiss 1971). Undefined (``nan``, with ``note``) when no segment
    has two answers, or when every answer is the same code (Pₑ = 1). For a
    long codings table, pass ``coding_counts(codings)``.

    >>> fleiss_kappa(pd.DataFrame([[3, 0], [0, 3]]))
    Agreement(fleiss_kappa=1, units=2, coders=3)
    >>> round(fleiss_kappa(pd.DataFrame([[2, 1], [1, 2]])), 3)
    -0.333
    >>> fleiss_kappa(pd.DataFrame([[2, 0]])).note[:40]
    'undefined: every answer is the same code'
    """
    frame = pd.DataFrame(counts)
    return _fleiss(frame.to_numpy(dtype=float), list(frame.columns))


def _fleiss(x: np.ndarray, labels: list) -> Agreement:
    n = x.sum(axis=1)
    keep = n >= 2
    x, n = x[keep], n[keep]
    if len(x) == 0:
        return Agreement("fleiss_kappa", np.nan, units=0, coders=0,
                         note="undefined: no segment has two or more codings; let a second coder code some")
    raters = int(n.max())
    p_i = ((x * x).sum(axis=1) - n) / (n * (n - 1))
    p_j = x.sum(axis=0) / x.sum()
    pe = float((p_j ** 2).sum())
    po = float(p_i.mean())
    if pe >= 1 - 1e-12:
        return Agreement("fleiss_kappa", np.nan, units=len(x), coders=raters, observed=po, expected=1.0,
                         note=_NO_VARIANCE.format(code=labels[int(np.argmax(p_j))], observed=po))
    return Agreement("fleiss_kappa", (po - pe) / (1 - pe), units=len(x), coders=raters, observed=po, expected=pe)


#: Above this many unit × code² cells the ``krippendorff`` package's coincidence tensor
#: (units × codes × codes floats) would take over 100 MB; the nominal formula is used instead.
_PACKAGE_CELLS = 4_000_000


def _nominal_alpha(vc: np.ndarray) -> float:
    """Nominal α from value counts (units × codes, pairable units only), Krippendorff's computational formula.

    α = ((n − 1) Σc occ − Σc nc(nc − 1)) / (n(n − 1) − Σc nc(nc − 1)), with
    occ = Σu nuc(nuc − 1) / (mu − 1): O(units × codes), the value of the package's
    coincidence matrix (tests check the two agree).
    """
    m = vc.sum(axis=1)
    o_cc = ((vc * (vc - 1)).sum(axis=1) / (m - 1)).sum()
    n_c = vc.sum(axis=0)
    n = n_c.sum()
    same = float((n_c * (n_c - 1)).sum())
    return float(((n - 1) * o_cc - same) / (n * (n - 1) - same))


def _alpha(c: _Coded) -> Agreement:
    import krippendorff

    vc = c.counts()
    pairable = vc.sum(axis=1) >= 2
    vc = vc[pairable]
    if len(vc) == 0:
        return Agreement("krippendorff_alpha", np.nan, units=0, coders=0,
                         note="undefined: no segment has two or more codings; let a second coder code some")
    used = vc.sum(axis=0) > 0
    vc = vc[:, used]
    coders = int((c.matrix[pairable] >= 0).any(axis=0).sum())
    if vc.shape[1] < 2:
        code = np.asarray(c.codes, dtype=object)[used][0]
        return Agreement("krippendorff_alpha", np.nan, units=len(vc), coders=coders, observed=1.0, expected=1.0,
                         note=_NO_VARIANCE.format(code=code, observed=1.0))
    if vc.shape[0] * vc.shape[1] ** 2 <= _PACKAGE_CELLS:
        value = krippendorff.alpha(value_counts=vc, level_of_measurement="nominal")
    else:
        value = _nominal_alpha(vc.astype(float))
    f = vc.astype(float)
    n_c, n = f.sum(axis=0), f.sum()
    observed = float(((f * (f - 1)).sum(axis=1) / (f.sum(axis=1) - 1)).sum() / n)  # 1 − D_o
    expected = float((n_c * (n_c - 1)).sum() / (n * (n - 1)))  # 1 − D_e
    return Agreement("krippendorff_alpha", float(value), units=len(vc), coders=coders,
                     observed=observed, expected=expected)


def krippendorff_alpha(codings: pd.DataFrame, *, columns: tuple[str, str, str] | None = None) -> Agreement:
    """Krippendorff's α (nominal) over every pairable value; skipped segments are missing values.

    Computed by the ``krippendorff`` package from the segments × codes value
    counts; for large tables (more than 4 million segment × code² cells, where
    the package would build a coincidence tensor of over 100 MB) by
    Krippendorff's computational formula for nominal data, which gives the
    same value. The worked example of Krippendorff (2011, "Computing
    Krippendorff's Alpha-Reliability"), 4 coders, 12 segments, some skipped,
    gives α = 0.743:

    >>> rows = {"A": "1 2 3 3 2 1 4 1 2 . . .", "B": "1 2 3 3 2 2 4 1 2 5 . 3",
    ...         "C": ". 3 3 3 2 3 4 2 2 5 1 .", "D": "1 2 3 3 2 4 4 1 2 5 1 ."}
    >>> long = pd.DataFrame([(u, c, v) for c, vals in rows.items() for u, v in enumerate(vals.split())
    ...                      if v != "."], columns=["segment_id", "coder", "code"])
    >>> round(krippendorff_alpha(long), 3)
    0.743
    """
    return _alpha(_Coded(_long(codings, columns)))


def disagreements(codings: pd.DataFrame, *, columns: tuple[str, str, str] | None = None) -> pd.DataFrame:
    """The segments where coders gave different codes: segment, then each coder's code (empty if skipped).

    >>> disagreements(pd.DataFrame({"segment_id": ["S1", "S1", "S2", "S2"], "coder": ["A", "B"] * 2,
    ...                             "code": ["x", "x", "x", "y"]})).to_dict("records")
    [{'segment_id': 'S2', 'A': 'x', 'B': 'y'}]
    """
    c = _Coded(_long(codings, columns))
    m = c.matrix
    big = np.where(m >= 0, m, np.iinfo(np.int64).max)
    lo = big.min(axis=1)
    hi = np.where(m >= 0, m, -1).max(axis=1)
    rows = np.flatnonzero((hi >= 0) & (lo < hi))
    labels = np.asarray(c.codes, dtype=object)
    sub = m[rows]
    out = pd.DataFrame({"segment_id": np.asarray(c.segments, dtype=object)[rows]})
    for j, name in enumerate(c.coders):
        col = sub[:, j]
        out[name] = np.where(col >= 0, labels[np.maximum(col, 0)] if len(labels) else "", "")
    return out


def coder_agreement(codings: pd.DataFrame, *, columns: tuple[str, str, str] | None = None) -> pd.DataFrame:
    """All three statistics in one table: Cohen's κ for each pair of coders, Fleiss' κ, Krippendorff's α.

    Columns: ``statistic``, ``coders``, ``value`` (``NaN`` when undefined),
    ``units``, ``observed``, ``expected``, ``note``.

    >>> codings = pd.DataFrame({"segment_id": [1, 1, 2, 2, 3, 3], "coder": ["A", "B"] * 3,
    ...                         "code": ["x", "x", "y", "y", "x", "y"]})
    >>> coder_agreement(codings)[["statistic", "coders", "units"]].to_dict("list")
    {'statistic': ['cohen_kappa', 'fleiss_kappa', 'krippendorff_alpha'], 'coders': ['A, B', 'A, B', 'A, B'], 'units': [3, 3, 3]}
    """
    c = _Coded(_long(codings, columns))
    names = [str(x) for x in c.coders]
    rows = [(f"{names[a]}, {names[b]}", _cohen(c, a, b)) for a, b in itertools.combinations(range(len(names)), 2)]
    everyone = ", ".join(names)
    rows.append((everyone, _fleiss(c.counts().astype(float), list(c.codes))))
    rows.append((everyone, _alpha(c)))
    return pd.DataFrame([{"statistic": k.statistic, "coders": who, "value": float(k), "units": k.units,
                          "observed": k.observed, "expected": k.expected, "note": k.note} for who, k in rows],
                        columns=["statistic", "coders", "value", "units", "observed", "expected", "note"])
