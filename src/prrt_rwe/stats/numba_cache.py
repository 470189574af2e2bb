"""Where numba keeps its compiled kernels (issue 12, "no writable HOME").

numba caches next to the source file (``__pycache__``), else under the user's HOME; with
neither writable, ``cache=True`` kernels fail on first use. Imported before numba: when the
in-tree cache folder is not writable and NUMBA_CACHE_DIR is unset, the cache goes to a
per-user folder under the system temporary folder; when even that cannot be made, caching
is off (``CACHE`` False: kernels compile on each run, results are the same).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-")
    except OSError:
        return False
    probe.close()
    return True


def choose_cache(package_dir: Path, environ=os.environ, tmp: str | None = None,
                 writable=_writable) -> bool:
    """Set NUMBA_CACHE_DIR in ``environ`` when needed; True when caching can work."""
    if environ.get("NUMBA_CACHE_DIR"):
        return writable(Path(environ["NUMBA_CACHE_DIR"]))
    if writable(package_dir / "__pycache__"):
        return True
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    fallback = Path(tmp or tempfile.gettempdir()) / f"prrt-rwe-numba-{uid}"
    if writable(fallback):
        environ["NUMBA_CACHE_DIR"] = str(fallback)
        return True
    return False


CACHE = choose_cache(Path(__file__).parent)
