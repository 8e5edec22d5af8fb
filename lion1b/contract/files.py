"""Files: compressed reading and writing by extension, atomic output, input globs, stale temp files."""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import re
from collections.abc import Iterator
from glob import glob
from pathlib import Path
from typing import IO, Any

import xxhash

from lion1b.contract.console import die, log

MARKER_SUFFIX = ".done"
CHUNK = 1 << 20


class CorruptInput(OSError):
    """A compressed input that ends early or is not what its extension says (counted as unreadable_file)."""


class _ZstdReader(io.RawIOBase):
    """Decompresses a (multi-frame) .zst stream and raises :class:`CorruptInput` when it ends mid-frame or is
    not zstd at all: zstandard's own stream reader returns a silent, early EOF for a truncated file."""

    def __init__(self, raw: IO[bytes]) -> None:
        import zstandard

        self._zstd = zstandard
        self._raw = raw
        self._dobj = zstandard.ZstdDecompressor().decompressobj()
        self._fed = False  # bytes went into the current frame
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._buffer:
            chunk = self._raw.read(CHUNK)
            if not chunk:
                if self._fed and not self._dobj.eof:
                    raise CorruptInput("truncated zstd stream (the file ends inside a frame)")
                return 0
            self._feed(chunk)
        n = min(len(buffer), len(self._buffer))
        buffer[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n

    def _feed(self, chunk: bytes) -> None:
        while chunk:
            try:
                self._buffer += self._dobj.decompress(chunk)
            except self._zstd.ZstdError as exc:
                raise CorruptInput(f"not a valid zstd stream ({exc})") from None
            self._fed = True
            if not self._dobj.eof:
                return
            chunk = self._dobj.unused_data  # the next frame starts here
            self._dobj = self._zstd.ZstdDecompressor().decompressobj()
            self._fed = False

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_binary(path: str | Path, mode: str = "rb") -> IO[bytes]:
    """Open a file as bytes, (de)compressing ``.gz`` and ``.zst`` by extension."""
    path = str(path)
    if path.endswith(".gz"):
        return gzip.open(path, mode)  # type: ignore[return-value]
    if path.endswith(".zst"):
        raw = open(path, mode)  # noqa: SIM115 - closed through the zstd stream
        if "r" in mode:
            return io.BufferedReader(_ZstdReader(raw), CHUNK)
        import zstandard

        return zstandard.ZstdCompressor().stream_writer(raw, closefd=True)  # type: ignore[return-value]
    return open(path, mode)


def open_text(path: str | Path, mode: str = "r") -> IO[str]:
    """Open a UTF-8 text file, (de)compressing ``.gz`` and ``.zst`` by extension."""
    return io.TextIOWrapper(open_binary(path, mode + "b"), encoding="utf-8", newline="\n")


def temp_path(path: Path) -> Path:
    """The temp name keeps the extension last, so compression is chosen by it, and carries the pid, so two
    writers never share a temp file and a dead writer's leftovers can be recognised."""
    return path.with_name(f".{path.stem}.tmp{os.getpid()}{path.suffix}")


def remove_stale_temps(path: str | Path) -> int:
    """Delete temp files of ``path`` left by writers that no longer run (``kill -9``); returns how many."""
    path = Path(path)
    pattern = re.compile(rf"^\.{re.escape(path.stem)}\.tmp(\d+){re.escape(path.suffix)}$")
    removed = 0
    with contextlib.suppress(OSError):
        for candidate in path.parent.iterdir():
            match = pattern.match(candidate.name)
            if match and not _pid_alive(int(match.group(1))):
                candidate.unlink(missing_ok=True)
                removed += 1
    return removed


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own earlier attempt in this process: never still writing
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Write to a temp file and rename it into place only on success, so a crash never leaves a file
    that looks complete. ``mode`` is "w" (text, compressed by extension) or "wb" (raw bytes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path)
    try:
        with open(tmp, "wb") if mode == "wb" else open_text(tmp, "w") as handle:
            yield handle
            handle.flush()
        with open(tmp, "rb") as done:
            os.fsync(done.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def expand(pattern: str) -> list[str]:
    """A path or a glob as a sorted list of regular files (directories and markers left out)."""
    paths = sorted(glob(pattern)) if any(c in pattern for c in "*?[") else [pattern]
    return [p for p in paths if not p.endswith(MARKER_SUFFIX) and (os.path.isfile(p) or not os.path.exists(p))]


def input_files(pattern: str) -> list[str]:
    """Files named by a path or a glob, in a fixed (sorted) order; a clear error when there are none.
    A directory that matches a glob is skipped with a warning instead of aborting the run."""
    if any(c in pattern for c in "*?["):
        skipped = [p for p in sorted(glob(pattern)) if os.path.isdir(p)]
        for folder in skipped:
            log(f"warning: {folder} matches --input {pattern!r} but is a directory; skipped")
    files = expand(pattern)
    if not files or not all(os.path.isfile(f) for f in files):
        missing = [f for f in files if not os.path.isfile(f)] or [pattern]
        die(f"input not found: {missing[0]}")
    return files


def content_stamp(path: str | Path) -> list[Any]:
    """[path, size, xxh3 of the bytes] of a file, or of every file under a folder: what a marker checks so
    a hand-edited or replaced output is not taken as complete. xxh3 reads at memory speed."""
    path = Path(path)
    if path.is_dir():
        return [str(path), "dir", [content_stamp(p) for p in sorted(path.rglob("*")) if p.is_file()]]
    digest = xxhash.xxh3_64()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK * 4):
            digest.update(chunk)
    return [str(path), path.stat().st_size, digest.hexdigest()]
