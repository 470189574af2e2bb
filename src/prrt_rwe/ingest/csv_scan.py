"""One pass over a CSV file in chunks (bounded memory, issue 17): its sha256, the checks of
csv_reader.decode (UTF-16 BOM, UTF-8, NUL byte, empty file: the same messages, offsets and
lines), whether every line is one record, whether no cell needs trimming and whether the file
has a double quote at all — the files the embedded engine then reads, and how
(ingest/engine_reader.py). Chunks end at a line feed, so a UTF-8
character is never split."""

from __future__ import annotations

import hashlib
import queue
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from prrt_rwe.ingest.csv_reader import PADDING_BYTES, UTF8_BOM, UTF16_BOMS, UnreadableFile

# 4 MiB: glibc serves a buffer this size from its heap, reused chunk after chunk; a 32 MiB chunk
# (and its line's rest) is over glibc's mmap threshold (at most 32 MiB), so every chunk was fresh
# pages: labs.csv at 1e5 (478 MB) took 224,000 page faults and 1.75 CPU s to scan, 35,000 and
# 0.94 s in 4 MiB chunks (the findings do not depend on the chunk size: tests/ingest/test_csv_scan.py)
CHUNK_BYTES = 4 << 20


@dataclass(frozen=True)
class FileScan:
    lines: int          # line feeds in the file
    size: int
    simple: bool        # every line one record (csv_reader._is_simple)
    padded: bool        # a cell may need trimming (csv_reader._has_padding)
    error: UnreadableFile | None
    header: bytes       # the first line (BOM dropped)
    bom: bool
    ascii: bool = False  # every byte ASCII
    quoted: bool = True  # a double quote somewhere in the file


class DigestThread:
    """A hashlib digest (sha256 unless given) updated on a worker thread: hashlib hashes a large
    buffer without the GIL, so the scan's checks, and the staging after them, run while it hashes
    (issue 17: 0.5 of labs.csv's 0.9 CPU s at 1e5 were the sha256). A few chunks wait at most;
    :meth:`hexdigest` waits for those handed in. Use it as a context manager (the thread ends
    on exit)."""

    def __init__(self, digest=None, waiting: int = 4):
        self.digest = hashlib.sha256() if digest is None else digest
        self._chunks: queue.Queue = queue.Queue(waiting)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="prrt-rwe-sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            if self._error is None:   # after an error the chunks are taken still: update never blocks
                try:
                    self.digest.update(chunk)
                except BaseException as exc:
                    self._error = exc

    def update(self, chunk: bytes) -> None:
        self._chunks.put(chunk)

    def hexdigest(self) -> str:
        """The digest of every chunk handed in (the hashing thread's error, if it had one)."""
        self.close()
        if self._error is not None:
            raise self._error
        return self.digest.hexdigest()

    def close(self) -> None:
        if self._thread.is_alive():
            self._chunks.put(None)
            self._thread.join()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _chunks(path: Path):
    """The file in chunks of about CHUNK_BYTES, each ending at a line feed (but the last):
    a block and the rest of its last line, so one copy per chunk (each fresh buffer of
    this size costs page faults too)."""
    with open(path, "rb") as f:
        while True:
            block = f.read(CHUNK_BYTES)
            if not block:
                return
            if not block.endswith(b"\n"):
                block += f.readline()
            yield block


def has_two_line_feeds(data: bytes, end: int) -> bool:
    """``data.find(b"\\n\\n", 0, end) >= 0`` (``1 <= end <= len(data)``): the byte pairs at even
    and at odd offsets read as 16-bit words, both bytes a line feed (0x0A0A, either byte order).
    About 4 times faster than bytes.find, which restarts at every line feed of a CSV chunk (one
    every ~50 bytes: 0.6 CPU s for the 478 MB of labs.csv at 1e5 patients)."""
    even = np.frombuffer(data, np.uint16, count=end // 2)
    odd = np.frombuffer(data, np.uint16, count=(end - 1) // 2, offset=1)
    return bool((even == 0x0A0A).any() or (odd == 0x0A0A).any())


class _Simplicity:
    """csv_reader._is_simple over consecutive chunks: no blank line inside the file, no lone
    carriage return, an even number of quotes before every line break."""

    def __init__(self):
        self.ok, self.quotes, self.pending_breaks, self.prev_end = True, 0, 0, b""

    def feed(self, chunk: bytes) -> None:
        if not self.ok:
            return
        end = len(chunk)
        while end and chunk[end - 1] in (10, 13):   # the trailing line breaks, without a copy
            end -= 1
        tail = chunk[end:]
        if end:   # line breaks held back at the end of earlier chunks are inside the file
            if self._broken(chunk, end):
                self.ok = False
                return
            raw = np.frombuffer(chunk, dtype=np.uint8, count=end)
            quotes = np.flatnonzero(raw == ord('"')) if chunk.find(b'"', 0, end) >= 0 else np.zeros(0, np.int64)
            if self.pending_breaks and self.quotes % 2:
                self.ok = False
                return
            if quotes.size:
                breaks = np.flatnonzero(raw == ord("\n"))
                if ((np.searchsorted(quotes, breaks) + self.quotes) % 2).any():
                    self.ok = False
                    return
            self.quotes += quotes.size
            self.prev_end = b""
        self.prev_end += tail
        self.pending_breaks += tail.count(b"\n")

    def _broken(self, chunk: bytes, end: int) -> bool:
        """A blank line or a lone carriage return in ``prev_end`` + ``chunk[:end]`` (the line
        breaks held back, then the body), found without joining them."""
        prev = self.prev_end
        joint = prev + chunk[:2]   # the patterns that span the joint (at most 3 bytes long)
        if has_two_line_feeds(chunk, end) or (prev + chunk[:1]).find(b"\n\n") >= 0:
            return True
        if chunk.find(b"\r", 0, end) < 0 and b"\r" not in prev:
            return False
        if chunk.find(b"\n\r\n", 0, end) >= 0 or joint[:len(prev) + min(end, 2)].find(b"\n\r\n") >= 0:
            return True
        crlf = (prev.count(b"\r\n") + chunk.count(b"\r\n", 0, end)
                + (prev.endswith(b"\r") and chunk.startswith(b"\n")))
        return prev.count(b"\r") + chunk.count(b"\r", 0, end) != crlf

    def result(self) -> bool:
        return self.ok


def scan_file(path, digest=None) -> FileScan:
    """See module doc; ``error`` is what csv_reader.decode would raise (None when readable);
    ``digest`` (a hashlib object) is updated with the file's bytes."""
    path = Path(path)
    digest = hashlib.sha256() if digest is None else digest
    simple = _Simplicity()
    offset, lines, first, bom = 0, 0, True, False
    utf8_error = nul = None
    blank, ascii_only, padded, quoted = True, True, False, False
    header, utf16 = b"", False
    for chunk in _chunks(path):
        digest.update(chunk)
        if utf16:
            continue
        if first:
            if chunk.startswith(UTF16_BOMS):
                utf16 = True
                continue
            bom = chunk.startswith(UTF8_BOM)
            chunk = chunk.removeprefix(UTF8_BOM)
            cut = chunk.find(b"\n")
            header = chunk if cut < 0 else chunk[:cut]
            first = False
        if not chunk.isascii():
            ascii_only = False
            if utf8_error is None:
                try:
                    chunk.decode("utf-8")
                except UnicodeDecodeError as exc:
                    line = lines + chunk[: exc.start].count(b"\n") + 1
                    utf8_error = UnreadableFile(
                        f"not UTF-8: byte 0x{chunk[exc.start]:02x} at offset {offset + exc.start} "
                        f"(line {line}); save the file as UTF-8", line)
        if nul is None and (at := chunk.find(b"\x00")) >= 0:
            line = lines + chunk.count(b"\n", 0, at) + 1
            nul = UnreadableFile(f"NUL byte at offset {offset + at} (line {line}): binary or UTF-16 file, "
                                 "save it as UTF-8", line)
        if blank and chunk and not chunk.isspace():
            blank = False
        if not padded and any(bytes([b]) in chunk for b in PADDING_BYTES):
            padded = True
        if not quoted and b'"' in chunk:
            quoted = True
        simple.feed(chunk)
        offset += len(chunk)
        lines += chunk.count(b"\n")
    if utf16:
        return FileScan(lines, path.stat().st_size, False, True,
                        UnreadableFile("file is UTF-16 encoded; save it as UTF-8"), b"", False)
    error = utf8_error or nul or (UnreadableFile("empty file: no header row") if blank else None)
    return FileScan(lines, path.stat().st_size, simple.result(), padded or not ascii_only,
                    error, header, bom, ascii_only, quoted)

