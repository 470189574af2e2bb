"""Text for a terminal: every control character escaped (issue 12, "terminal injection").

A site id or a header holding ESC sequences would clear the screen or set the title when
printed raw; rich strips only BEL and CR. Control (Cc), format (Cf), line/paragraph separator
(Zl, Zp), surrogate and unassigned characters are written as ``\\xNN`` / ``\\uNNNN``; line
feeds are kept when ``keep_newlines`` (multi-line messages), tabs always.
"""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f"
                     r"\ufeff\ufff9-\ufffb\ud800-\udfff]")
_HIDDEN = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str, keep_newlines: bool = True) -> str:
    """``text`` with every character that could steer a terminal (or hide itself) escaped."""
    text = str(text)
    if text.isascii():
        out = _UNSAFE.sub(lambda m: _escape(m.group()), text)
    else:
        out = "".join(_escape(c) if c not in "\t\n" and unicodedata.category(c) in _HIDDEN else c
                      for c in text)
    if not keep_newlines:
        out = out.replace("\n", "\\n")
    return out
