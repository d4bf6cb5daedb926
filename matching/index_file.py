"""Index files: the candidate index's base (`index_base.Base`) as flat arrays in one file that
every process maps read-only, so the operating system keeps one copy of its pages for all.

A directory holds the data file and its manifest (manifest.json): the format, the matcher's name,
version and fingerprint (a digest of its code, its data's versions and Python's), the counts,
each array's offset, type and length, the data file's size and CRC-32, and what the caller adds
(`extra`; the registry records the outbox event the index reflects). A new file is written under
a temporary name, flushed and renamed; then the manifest is replaced the same way (os.replace),
so a reader finds the old file or the new one, whole. Data files no manifest names are deleted:
a process that maps one keeps its pages until it lets go of them (Linux frees an unlinked file's
pages when its last mapping goes). Writers take `BuildLock`, so one process writes at a time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import importlib.metadata
import json
import mmap
import os
import secrets
import sys
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from matching import index_base
from matching.index_base import Base

FORMAT = 1
MANIFEST = "manifest.json"
LOCK = "build.lock"
_MAGIC = b"CRIDX-1\n"
_ALIGN = 64  # bytes: each array starts at a multiple of this
_DEPENDENCIES = ("numpy", "OpenCC", "pypinyin", "python-stdnum", "rapidfuzz")

Signature = tuple[int, int, int]  # the manifest's inode, mtime (ns) and size: a new one is another file


class IndexFileError(Exception):
    """An index file or its manifest cannot be read, or is not whole."""


@dataclass(frozen=True)
class Manifest:
    """What manifest.json says of the current data file."""

    directory: Path
    data: str  # the data file's name in the directory
    size: int
    crc32: int
    arrays: dict[str, tuple[int, str, int]]  # name → (offset, numpy type, length)
    parts: tuple[int, int]  # offset and length of the part values (JSON)
    counts: dict[str, int]
    matcher: dict[str, str]  # name, version, fingerprint
    created: str
    extra: dict[str, Any] = field(default_factory=dict)
    signature: Signature = (0, 0, 0)

    @property
    def path(self) -> Path:
        return self.directory / self.data


def fingerprint() -> str:
    """A digest of what decides an index's content: the matching package's code, the versions
    of the libraries it reads names with, Python's version and the byte order."""
    digest = hashlib.sha256(f"{FORMAT}|{sys.version_info[:2]}|{sys.byteorder}".encode())
    for name in _DEPENDENCIES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            digest.update(f"|{name}={importlib.metadata.version(name)}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


def mismatch(manifest: Manifest, matcher: Mapping[str, str]) -> str | None:
    """Why this process cannot use the manifest's file for a matcher of this name and version
    (another matcher, another version of its code or data), or None if it can."""
    wanted = {**matcher, "fingerprint": fingerprint()}
    for key, value in wanted.items():
        if manifest.matcher.get(key) != value:
            return f"built by {key} {manifest.matcher.get(key)!r}, this process has {value!r}"
    return None


def signature(directory: Path) -> Signature | None:
    """The manifest's identity now (None: there is none); cheap enough to ask every second."""
    try:
        st = os.stat(directory / MANIFEST)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def read_manifest(directory: Path) -> Manifest | None:
    """The manifest in `directory` (None: there is none)."""
    path = directory / MANIFEST
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            raw = json.loads(fh.read())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise IndexFileError(f"{path}: {exc}") from None
    try:
        if raw["format"] != FORMAT:
            raise IndexFileError(f"{path}: format {raw['format']}, not {FORMAT}")
        return Manifest(
            directory=directory,
            data=str(raw["data"]),
            size=int(raw["size"]),
            crc32=int(raw["crc32"]),
            arrays={name: (int(a[0]), str(a[1]), int(a[2])) for name, a in raw["arrays"].items()},
            parts=(int(raw["parts"][0]), int(raw["parts"][1])),
            counts={k: int(v) for k, v in raw["counts"].items()},
            matcher={k: str(v) for k, v in raw["matcher"].items()},
            created=str(raw["created"]),
            extra=dict(raw.get("extra") or {}),
            signature=(st.st_ino, st.st_mtime_ns, st.st_size),
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise IndexFileError(f"{path}: not a manifest ({exc!r})") from None


def write(directory: Path, base: Base, matcher: Mapping[str, str], extra: Mapping[str, Any]) -> Manifest:
    """Write `base` as a new data file in `directory`, make it current and delete the older ones;
    the caller holds the `BuildLock`. `matcher`: its name and version."""
    directory.mkdir(parents=True, exist_ok=True)
    created = dt.datetime.now(dt.UTC)
    name = f"index-{created:%Y%m%dT%H%M%S}-{os.getpid()}-{secrets.token_hex(4)}.bin"
    temporary = directory / f".{name}.tmp"
    arrays: dict[str, list[Any]] = {}
    try:
        with open(temporary, "wb") as fh:
            crc = _put(fh, _MAGIC.ljust(_ALIGN, b"\0"), 0)
            for array_name in index_base.array_names():
                array = np.ascontiguousarray(base.arrays[array_name])
                crc = _put(fh, b"\0" * (-fh.tell() % _ALIGN), crc)
                arrays[array_name] = [fh.tell(), array.dtype.str, len(array)]
                crc = _put(fh, array.view(np.uint8).data, crc)
            parts = json.dumps([_encoded(value) for value in base.parts], ensure_ascii=False).encode()
            parts_at = [fh.tell(), len(parts)]
            crc = _put(fh, parts, crc)
            size = fh.tell()
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, directory / name)
        manifest = {
            "format": FORMAT,
            "data": name,
            "size": size,
            "crc32": crc,
            "arrays": arrays,
            "parts": parts_at,
            "counts": {"entities": base.entities, "rows": base.rows, "parts": len(base.parts)},
            "matcher": {**matcher, "fingerprint": fingerprint()},
            "created": created.isoformat(timespec="seconds"),
            "extra": dict(extra),
        }
        _replace_text(directory / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    finally:
        temporary.unlink(missing_ok=True)
    _remove_others(directory, keep=name)
    found = read_manifest(directory)
    if found is None:  # pragma: no cover - only if another process deleted it meanwhile
        raise IndexFileError(f"{directory / MANIFEST} vanished")
    return found


def open_base(manifest: Manifest, verify: bool = True) -> Base:
    """The base in the manifest's data file, its arrays mapped read-only (shared with every
    other process that maps it); `verify`: check the CRC-32 (reads every page once)."""
    try:
        with open(manifest.path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size != manifest.size:
                raise IndexFileError(f"{manifest.path}: {size} bytes, the manifest says {manifest.size}")
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as exc:
        raise IndexFileError(f"{manifest.path}: {exc}") from None
    if mapped[: len(_MAGIC)] != _MAGIC or (verify and zlib.crc32(mapped) != manifest.crc32):
        raise IndexFileError(f"{manifest.path}: not the file its manifest describes (checksum)")
    arrays: index_base.Arrays = {}
    for name in index_base.array_names():
        if name not in manifest.arrays:
            raise IndexFileError(f"{manifest.path}: no array {name}")
        offset, dtype, length = manifest.arrays[name]
        arrays[name] = np.frombuffer(mapped, dtype=np.dtype(dtype), count=length, offset=offset)
    at, length = manifest.parts
    parts = [_decoded(value) for value in json.loads(mapped[at : at + length])]
    return Base(arrays, parts)


class BuildLock:
    """An exclusive lock on a directory's index (flock on build.lock): the operating system
    releases it when its process ends, so a writer that dies leaves no stale lock."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._fd: int | None = None

    def acquire(self, wait: float | None) -> bool:
        """Take the lock, waiting `wait` seconds at most (None: as long as it takes; 0: not
        at all); False if another process held it all that time."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.directory / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = None if wait is None else time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(0.05)
                continue
            self._fd = fd
            return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @contextlib.contextmanager
    def held(self, wait: float | None) -> Iterator[bool]:
        """`with lock.held(wait) as locked:` locked is what `acquire` said."""
        locked = self.acquire(wait)
        try:
            yield locked
        finally:
            if locked:
                self.release()


def _put(fh: BinaryIO, data: bytes | memoryview, crc: int) -> int:
    fh.write(data)
    return zlib.crc32(data, crc)


def _replace_text(path: Path, text: str) -> None:
    """Write `path` whole under a temporary name, then rename it over the old one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temporary, path)
    with contextlib.suppress(OSError):  # the rename itself survives a crash once the directory is flushed
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_others(directory: Path, keep: str) -> None:
    """Delete the data files the manifest no longer names, and temporary files left by a writer
    that died (the caller holds the lock: no other writer is at work)."""
    for path in directory.iterdir():
        if path.name != keep and (path.name.startswith("index-") or path.name.endswith(".tmp")):
            with contextlib.suppress(OSError):
                path.unlink()


def _encoded(value: object) -> list[Any]:
    if isinstance(value, frozenset):
        return ["f", sorted(value)]
    if isinstance(value, tuple):
        return ["t", list(value)]
    if isinstance(value, str):
        return ["s", value]
    raise TypeError(f"an index part must be a str, a tuple or a frozenset of str, not {value!r}")


def _decoded(value: list[Any]) -> object:
    kind, data = value
    if kind == "f":
        return frozenset(data)
    if kind == "t":
        return tuple(data)
    return str(data)
