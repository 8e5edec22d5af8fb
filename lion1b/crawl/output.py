"""The crawl's files: page records, out-links and the optional WARC, appended as the crawl goes.

A crawl is long, so records are appended one whole JSON line at a time and flushed as pages arrive (an atomic
rename at the end would lose everything on a crash); the checkpoint records the byte offsets, and resume cuts
the files back to them (see :mod:`lion1b.crawl.checkpoint`).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from lion1b.contract import die, record_line


def check_writable(paths: list[str]) -> None:
    """Fail with one clear line, before anything is crawled or removed, when an output cannot be written
    (a read-only directory, a parent that is a file). Opening the file is the test that also holds for root,
    whom permission bits do not stop; a file created only for the test is removed again."""
    for path in paths:
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            existed = os.path.exists(path)
            with open(path, "ab"):
                pass
            if not existed:
                os.unlink(path)
        except OSError as exc:
            die(f"cannot write {path}: {exc.strerror or exc}")


class CrawlOutput:
    """Append handles for the records, the out-links and the WARC; one owner (the crawler's main thread)."""

    def __init__(self, output: str, outlinks: str, warc: str | None) -> None:
        self.output = output
        self.outlinks = outlinks
        self.warc_path = warc
        self.out: IO[bytes] | None = None
        self.links_out: IO[bytes] | None = None
        self.warc_file: IO[bytes] | None = None
        self.warc: Any = None  # a warcio WARCWriter over warc_file

    def open(self, offsets: dict[str, int]) -> None:
        """Open for appending, the out-link and WARC files cut back to their checkpointed ``offsets`` (the
        records file is reconciled by the resume, which keeps every complete line)."""
        try:
            Path(self.output).parent.mkdir(parents=True, exist_ok=True)
            self.out = open(self.output, "ab")  # noqa: SIM115 - closed in close()
            for path, attr in ((self.outlinks, "links_out"), (self.warc_path, "warc_file")):
                if not path:
                    continue
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                handle = open(path, "ab")  # noqa: SIM115 - closed in close()
                handle.truncate(min(offsets.get(attr, 0), handle.seek(0, os.SEEK_END)))
                handle.seek(0, os.SEEK_END)
                setattr(self, attr, handle)
        except OSError as exc:
            die(f"cannot write {exc.filename or self.output}: {exc.strerror or exc}")
        if self.warc_path:
            from warcio.warcwriter import WARCWriter  # only with --warc: saves startup otherwise

            self.warc = WARCWriter(self.warc_file, gzip=True)

    def handles(self) -> list[IO[bytes]]:
        return [h for h in (self.out, self.links_out, self.warc_file) if h is not None]

    def write_record(self, record: dict[str, Any], body: bytes, headers: list[tuple[str, str]]) -> None:
        self.out.write(record_line(record).encode("utf-8"))
        if self.warc is not None:
            self.write_warc(record, body, headers)

    def write_outlink(self, url: str, depth: int, part: int | None) -> None:
        self.links_out.write(record_line({"url": url, "depth": depth, "part": part}).encode("utf-8"))

    def write_warc(self, record: dict[str, Any], body: bytes, headers: list[tuple[str, str]]) -> None:
        """One WARC response record; without ``body`` (resume re-writes a stored record) the decoded text is
        re-encoded."""
        from warcio.statusandheaders import StatusAndHeaders

        if not body:
            body = record["html"].encode(record["encoding"], errors="replace")
            headers = [("Content-Type", f"{record['content_type']}; charset={record['encoding']}")]
        headers = [(k, v) for k, v in headers if k.lower() not in ("content-encoding", "content-length",
                                                                    "transfer-encoding")]
        headers.append(("Content-Length", str(len(body))))
        http = StatusAndHeaders(f"{record['status']} OK", headers, protocol="HTTP/1.1")
        self.warc.write_record(self.warc.create_warc_record(record["url"], "response", payload=io.BytesIO(body),
                                                            http_headers=http))

    def flush(self) -> None:
        self.out.flush()
        self.links_out.flush()

    def sync(self) -> None:
        """Flush and fsync every file: durable before a checkpoint or a marker says so."""
        for handle in self.handles():
            handle.flush()
            os.fsync(handle.fileno())

    def offsets(self) -> dict[str, int]:
        return {"output": self.out.tell(), "links_out": self.links_out.tell(),
                "warc_file": self.warc_file.tell() if self.warc_file is not None else 0}

    def close(self) -> None:
        self.sync()
        for handle in self.handles():
            handle.close()

    def remove(self) -> None:
        """Delete the files (a crawl that fetched nothing leaves nothing behind)."""
        for path in (self.output, self.outlinks, self.warc_path):
            if path:
                Path(path).unlink(missing_ok=True)


def cut_torn_line(path: str, offset: int) -> None:
    """Drop a last line without its newline (a write cut by ``kill -9``) after ``offset``."""
    with open(path, "r+b") as handle:
        handle.seek(offset)
        end = offset
        for line in handle:
            if not line.endswith(b"\n"):
                break
            end += len(line)
        handle.truncate(end)


def records_after(path: str, offset: int) -> Iterator[dict[str, Any] | None]:
    """The records of ``path`` from ``offset`` on, streamed; None for a line that is not a usable record."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        for line in handle:
            try:
                record = json.loads(line)
                if isinstance(record["url"], str) and isinstance(record["requested_url"], str):
                    yield record
                    continue
            except (ValueError, KeyError, TypeError):
                pass
            yield None
