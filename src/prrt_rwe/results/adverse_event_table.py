"""results.json ``safety.ae_table``: every adverse-event term reported after C1, patients by
their worst grade of the term (derivations.md "Treatment-emergent toxicity and late effects",
"Adverse-event table").

1. Events of safety-set patients with onset strictly after C1 (ADAE TRTEMFL); events after
   the data cut-off are already gone (derive).
2. Terms are matched trimmed and case-insensitively (as the term lists of derivations.md);
   the row shows the most frequent spelling (alphabetically first on a tie).
3. A patient counts once per term, at the worst grade: ``any`` = any grade (a missing grade
   included), ``grade3`` / ``grade4`` / ``grade5`` = worst grade exactly 3 / 4 / 5;
   ``serious`` = patients with a serious event of the term (any grade).
4. Rows sorted by ``any`` (descending), then term.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.results.populations import members
from prrt_rwe.results.safety import yes


def ae_table(adae: pd.DataFrame, safety_ids: pd.Index) -> list[dict]:
    rows = adae.loc[yes(adae["TRTEMFL"]).to_numpy(), ["USUBJID", "AETERM", "AETOXGR", "AESER"]]
    rows = rows.loc[members(rows["USUBJID"], safety_ids)]
    if rows.empty:
        return []
    term = rows["AETERM"].astype(str)
    key = term.str.strip().str.lower()
    shown = (pd.DataFrame({"key": key, "term": term.str.strip()}).value_counts().reset_index(name="n")
             .sort_values(["key", "n", "term"], ascending=[True, False, True], kind="stable")
             .drop_duplicates("key").set_index("key")["term"])
    frame = pd.DataFrame({"key": key.to_numpy(), "patient": rows["USUBJID"].to_numpy(),
                          "grade": pd.to_numeric(rows["AETOXGR"]).to_numpy(dtype=float, na_value=np.nan),
                          "serious": yes(rows["AESER"]).to_numpy()})
    per = frame.groupby(["key", "patient"]).agg(grade=("grade", "max"), serious=("serious", "any"))
    table = per.groupby(level="key").agg(
        any=("grade", "size"), grade3=("grade", lambda g: int((g == 3).sum())),
        grade4=("grade", lambda g: int((g == 4).sum())), grade5=("grade", lambda g: int((g == 5).sum())),
        serious=("serious", "sum"))
    table["term"] = shown.reindex(table.index).to_numpy()
    table = table.sort_values(["any", "term"], ascending=[False, True], kind="stable")
    return [{"term": r.term, "any": int(r.any), "grade3": int(r.grade3), "grade4": int(r.grade4),
             "grade5": int(r.grade5), "serious": int(r.serious)} for r in table.itertuples()]
