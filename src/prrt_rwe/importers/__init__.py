"""importers: REDCap and CDISC SDTM data -> registry format v1 (shared/spec/importers.md).

Each importer writes a format-v1 folder plus import_report.json, after the usual validation has
run on it; any finding is reported at the source line, record and field it came from, and
nothing is written when one is an error. ``redcap/`` (template, dictionary, mapping, export,
records, values, convert) and ``sdtm/`` (datasets, one module per domain, convert) share
problems, dates, import_report and registry_output.
"""

from prrt_rwe.importers.problems import ImportFailed
from prrt_rwe.importers.redcap.convert import import_redcap
from prrt_rwe.importers.redcap.template import write_template as write_redcap_template
from prrt_rwe.importers.sdtm.convert import import_sdtm

__all__ = ["ImportFailed", "import_redcap", "import_sdtm", "write_redcap_template"]
