"""Clinical derivations: registry rows (DuckDB) -> ADaM datasets (docs/adam.md).

One concept per module: analysis_sets, baseline (ADSL covariates), recist (CBOR/BOR),
recist_lesions (time-point response from lesions), time_to_event (PFS/OS/FU), ctcae (lab
grades), adlb (lab windows and grades), kidney (CKD-EPI 2021), adverse_events, hormonal;
source reads the DuckDB layout, layout gives the datasets their ids, order and types, and
datasets.derive_all assembles them.
"""

from prrt_rwe.derive.datasets import AdamDatasets, derive_all

__all__ = ["AdamDatasets", "derive_all"]
