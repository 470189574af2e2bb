"""ingest/csv_scan.py reads a file in chunks; its verdicts must be those of reading the whole
file at once: csv_reader.decode's errors (same message, offset and line), "every line is one
record" and "a cell may need trimming" — stated here over the whole bytes as the in-memory
reader stated them before issue 17 — for any bytes and any chunk size."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prrt_rwe.ingest import csv_scan
from prrt_rwe.ingest.csv_reader import PADDING_BYTES, UnreadableFile, decode

PIECES = [b"a", b",", b'"', b"\n", b"\r", b"\r\n", b" ", b"\t", b"\x00", "é".encode(), b"\xff",
          b"\xef\xbb\xbf", b"1", b"\n\n"]


def one_record_per_line(data: bytes) -> bool:
    """No blank line inside the file, no lone carriage return, an even number of quotes before
    every line break (trailing line breaks aside)."""
    end = len(data)
    while end and data[end - 1] in b"\r\n":
        end -= 1
    if data.find(b"\n\n", 0, end) >= 0:
        return False
    if data.find(b"\r", 0, end) >= 0 and (data.find(b"\n\r\n", 0, end) >= 0
                                          or data.count(b"\r", 0, end) != data.count(b"\r\n", 0, end)):
        return False
    raw = np.frombuffer(data, dtype=np.uint8, count=end)
    quotes, breaks = np.flatnonzero(raw == ord('"')), np.flatnonzero(raw == ord("\n"))
    return not (np.searchsorted(quotes, breaks) % 2).any()


def may_need_trimming(data: bytes) -> bool:
    return not data.isascii() or any(bytes([b]) in data for b in PADDING_BYTES)


@settings(max_examples=400)
@given(st.lists(st.sampled_from(PIECES), max_size=30), st.sampled_from([1, 3, 7, 64]),
       st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe"]))
def test_chunked_scan_equals_whole_file(tmp_path_factory, pieces, chunk, prefix):
    data = prefix + b"".join(pieces)
    path = tmp_path_factory.mktemp("scan") / "f.csv"
    path.write_bytes(data)
    old, csv_scan.CHUNK_BYTES = csv_scan.CHUNK_BYTES, chunk
    try:
        digest = hashlib.sha256()
        scan = csv_scan.scan_file(path, digest)
    finally:
        csv_scan.CHUNK_BYTES = old
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()
    try:
        text, expected = decode(data), None
    except UnreadableFile as exc:
        expected = (str(exc), exc.line)
    assert (None if scan.error is None else (str(scan.error), scan.error.line)) == expected
    if expected is None:
        assert scan.simple == one_record_per_line(text)
        assert scan.padded == may_need_trimming(text)


def test_invalid_utf8_far_into_a_file_names_offset_and_line(tmp_path):
    path = tmp_path / "labs.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 100_000 + b"3,\xff\n")
    old, csv_scan.CHUNK_BYTES = csv_scan.CHUNK_BYTES, 1 << 12
    try:
        scan = csv_scan.scan_file(path)
    finally:
        csv_scan.CHUNK_BYTES = old
    # the bad byte is at offset 4 + 400,000 + 2 on line 100,002
    assert str(scan.error) == ("not UTF-8: byte 0xff at offset 400006 (line 100002); save the file as UTF-8")
    assert scan.error.line == 100_002


@pytest.mark.parametrize("body, simple", [(b"a,b\n1,2\n", True), (b'a,b\n"1\n2",3\n', False),
                                          (b"a,b\n1,2\n\n3,4\n", False), (b"a,b\n1,2\n\n\n", True)])
def test_one_record_per_line(tmp_path, body, simple):
    path = tmp_path / "t.csv"
    path.write_bytes(body)
    assert csv_scan.scan_file(path).simple is simple


@settings(max_examples=400, deadline=None)
@given(data=st.binary(min_size=1, max_size=40).map(lambda b: b.replace(b"\x00", b"\n")),
       cut=st.integers(0, 40))
def test_two_line_feeds_as_bytes_find_says(data, cut):
    """csv_scan.has_two_line_feeds is ``data.find(b"\\n\\n", 0, end) >= 0`` at every even and odd
    end (a line feed is frequent in the examples: every NUL byte becomes one)."""
    end = 1 + cut % len(data)
    assert csv_scan.has_two_line_feeds(data, end) == (data.find(b"\n\n", 0, end) >= 0)


def test_a_digest_thread_hashes_what_hashlib_hashes(tmp_path):
    """csv_scan.DigestThread (the fingerprint hashed beside the scan, issue 17) gives hashlib's
    sha256 of the files' bytes in order, for chunks of any size and more chunks than it holds."""
    files = []
    for i, data in enumerate([b"a,b\n" + b"1,2\n" * 50_000, b"", "é,\xff\n".encode("latin-1") * 999]):
        files.append(tmp_path / f"{i}.csv")
        files[-1].write_bytes(data)
    old, csv_scan.CHUNK_BYTES = csv_scan.CHUNK_BYTES, 1 << 10
    try:
        with csv_scan.DigestThread(waiting=2) as digest:
            for path in files:
                csv_scan.scan_file(path, digest)
            got = digest.hexdigest()
    finally:
        csv_scan.CHUNK_BYTES = old
    assert got == hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()
    assert not digest._thread.is_alive()


def test_a_digest_thread_that_fails_raises_its_error_and_never_blocks():
    """A digest whose update fails: later chunks are still taken (no deadlock of the scan), and
    hexdigest raises the error."""
    class Failing:
        def update(self, chunk):
            raise MemoryError("no room")

    with csv_scan.DigestThread(Failing(), waiting=1) as digest:
        for _ in range(20):
            digest.update(b"x" * 4096)
        with pytest.raises(MemoryError, match="no room"):
            digest.hexdigest()
