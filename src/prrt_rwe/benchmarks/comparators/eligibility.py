"""Eligibility criteria of a comparator file (shared/spec/comparators.md): one comparison of
one ADSL variable with literals a line — ``==, !=, <, <=, >, >=`` with a number, a quoted
string or true/false, or ``in`` with a list — all combined with AND.

Parsed with Python's own expression grammar (``ast``) and accepted only in that one shape,
so ``age >= 18 or True`` or a function call is a schema error, never evaluated.  On ADSL a
patient whose variable is missing does not meet the criterion (eligibility must be shown).
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Criterion", "CriterionError", "EligibilityError", "eligible", "parse_criterion"]

OPERATORS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
             ast.In: "in"}
COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
           ">=": operator.ge}
BOOLEAN_NAMES = {"true": True, "false": False, "True": True, "False": False}


class CriterionError(ValueError):
    """A criterion that is not one comparison of a variable with literals."""


class EligibilityError(ValueError):
    """A criterion that cannot be applied to this ADSL (unknown variable, wrong type)."""


@dataclass(frozen=True)
class Criterion:
    text: str
    variable: str
    op: str
    value: object  # a literal, or a tuple of literals for "in"
    source: str | None = None

    def describe(self) -> str:
        return self.text


def _literal(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and isinstance(node.operand.value, (int, float)) and not isinstance(node.operand.value, bool):
        return -node.operand.value
    if isinstance(node, ast.Name) and node.id in BOOLEAN_NAMES:
        return BOOLEAN_NAMES[node.id]
    raise CriterionError("the right-hand side must be a number, a quoted string or true/false")


def parse_criterion(text: str, source: str | None = None) -> Criterion:
    """``'who_grade in ["G1", "G2"]'`` -> Criterion; anything else raises CriterionError."""
    if not isinstance(text, str) or not text.strip():
        raise CriterionError("a criterion must be a non-empty text such as 'age >= 18'")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise CriterionError(f"{text!r} is not an expression such as 'krenning_score >= 2'") from None
    if not (isinstance(tree, ast.Compare) and len(tree.ops) == 1 and isinstance(tree.left, ast.Name)):
        raise CriterionError(f"{text!r}: one comparison of one variable with literals (==, !=, <, <=, >, >=, in)")
    op = OPERATORS.get(type(tree.ops[0]))
    if op is None:
        raise CriterionError(f"{text!r}: operator not allowed (use ==, !=, <, <=, >, >= or in)")
    right = tree.comparators[0]
    if op == "in":
        if not isinstance(right, (ast.List, ast.Tuple)) or not right.elts:
            raise CriterionError(f"{text!r}: 'in' needs a list of literals, e.g. who_grade in [\"G1\", \"G2\"]")
        value = tuple(_literal(e) for e in right.elts)
    else:
        value = _literal(right)
        if op in ("<", "<=", ">", ">=") and (isinstance(value, (str, bool))):
            raise CriterionError(f"{text!r}: {op} needs a number")
    return Criterion(text.strip(), tree.left.id, op, value, source)


def _values(adsl: pd.DataFrame, c: Criterion):
    """(values as a numpy object/float array, missing mask) of the criterion's variable."""
    if c.variable not in adsl.columns:
        raise EligibilityError(f"eligibility {c.text!r}: {c.variable!r} is not an ADSL variable")
    col = adsl[c.variable]
    missing = col.isna().to_numpy()
    literals = c.value if isinstance(c.value, tuple) else (c.value,)
    if all(isinstance(v, bool) for v in literals):
        if not (pd.api.types.is_bool_dtype(col) or str(col.dtype) == "boolean"):
            raise EligibilityError(f"eligibility {c.text!r}: {c.variable} is not a yes/no variable")
        return col.astype("boolean").fillna(False).to_numpy(dtype=bool), missing
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in literals):
        if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            raise EligibilityError(f"eligibility {c.text!r}: {c.variable} is not numeric")
        return pd.to_numeric(col).astype("float64").to_numpy(na_value=np.nan), missing
    if all(isinstance(v, str) for v in literals):
        if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            raise EligibilityError(f"eligibility {c.text!r}: {c.variable} is not a coded (text) variable")
        return col.astype("string").fillna("").to_numpy(dtype=object), missing
    raise EligibilityError(f"eligibility {c.text!r}: the literals mix types")


def meets(adsl: pd.DataFrame, c: Criterion) -> np.ndarray:
    """Boolean mask of the rows meeting ``c`` (missing values never meet it)."""
    values, missing = _values(adsl, c)
    if c.op == "in":
        ok = np.isin(values, np.array(c.value, dtype=object if isinstance(c.value[0], str) else float))
    else:
        with np.errstate(invalid="ignore"):
            ok = np.asarray(COMPARE[c.op](values, c.value), dtype=bool)
    return ok & ~missing


def eligible(adsl: pd.DataFrame, criteria) -> np.ndarray:
    """Rows of ADSL meeting every criterion (AND); all rows when there is none."""
    mask = np.ones(len(adsl), dtype=bool)
    for c in criteria:
        mask &= meets(adsl, c)
    return mask
