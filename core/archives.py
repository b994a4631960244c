"""Zip files measured before anything opens them (XLSX, DOCX, ODS and the like are zips).

A zip of a few hundred kilobytes can unzip to gigabytes (a "zip bomb"): whatever parses it then
takes the memory and the time. `zip_check` reads only the zip's directory: the number of parts,
the sum of the sizes they declare, each part's compression ratio. Declared sizes can lie, so
`zip_measure` then unzips every part as a stream, counting the real bytes and stopping at the
limit, before a parser is let near the file. Both raise `ArchiveRefused` with a message users
read."""

from __future__ import annotations

import copy
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy

ARCHIVE_UNREADABLE = gettext_lazy("The file cannot be read: it is not a valid {kind} file.")
ARCHIVE_TOO_MANY_PARTS = gettext_lazy(
    "The file is made of {count} parts, more than the {limit} allowed."
)
ARCHIVE_TOO_LARGE = gettext_lazy(
    "The file unzips to more than {limit} MB (the limit). Split it into smaller files, or save "
    "it as CSV."
)
ARCHIVE_TOO_COMPRESSED = gettext_lazy(
    "The file is compressed abnormally (a part of it expands {ratio} times, the limit is "
    "{limit}): it was refused as a precaution. Save it again from your spreadsheet, or as CSV."
)

# Below this size a part's ratio does not matter: a small part cannot weigh on memory.
RATIO_FROM_BYTES = 1024 * 1024
CHUNK = 256 * 1024


class ArchiveRefused(ValueError):
    """A zip refused before opening; `str()` is the message for the user."""


@dataclass(frozen=True)
class ZipLimits:
    max_unzipped_bytes: int
    max_ratio: int
    max_parts: int


def _open(path: Path, kind: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ArchiveRefused(str(ARCHIVE_UNREADABLE).format(kind=kind)) from exc


def megabytes(size: int) -> str:
    """`size` bytes in megabytes, as users read them ("100", "2,5" in French)."""
    value = size / (1024 * 1024)
    return number_format(value, decimal_pos=0 if value >= 10 or value.is_integer() else 1)


def _too_large(limits: ZipLimits) -> ArchiveRefused:
    return ArchiveRefused(str(ARCHIVE_TOO_LARGE).format(limit=megabytes(limits.max_unzipped_bytes)))


def zip_check(path: str | Path, limits: ZipLimits, *, kind: str = "zip") -> list[zipfile.ZipInfo]:
    """The zip's parts, once their number, declared sizes and ratios are within `limits`.
    Reads the zip's directory only (milliseconds, whatever the file unzips to)."""
    with _open(Path(path), kind) as archive:
        parts = archive.infolist()
    if len(parts) > limits.max_parts:
        raise ArchiveRefused(
            str(ARCHIVE_TOO_MANY_PARTS).format(
                count=number_format(len(parts), force_grouping=True),
                limit=number_format(limits.max_parts, force_grouping=True),
            )
        )
    if sum(part.file_size for part in parts) > limits.max_unzipped_bytes:
        raise _too_large(limits)
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > RATIO_FROM_BYTES and ratio > limits.max_ratio:
            raise ArchiveRefused(
                str(ARCHIVE_TOO_COMPRESSED).format(
                    ratio=number_format(int(ratio), force_grouping=True),
                    limit=number_format(limits.max_ratio, force_grouping=True),
                )
            )
    return parts


def zip_measure(path: str | Path, limits: ZipLimits, *, kind: str = "zip") -> int:
    """The real number of bytes the zip unzips to, read as a stream and never trusting the
    sizes the zip declares: refused as soon as the count passes the limit or a part unzips to
    more than it declared. Memory stays at one chunk; time at unzipping the limit at most."""
    zip_check(path, limits, kind=kind)
    total = 0
    with _open(Path(path), kind) as archive:
        for declared in archive.infolist():
            if declared.is_dir():
                continue
            # zipfile stops a part at its declared size: let it read on, the count decides.
            part = copy.copy(declared)
            part.file_size = 1 << 62
            size = 0
            try:
                with archive.open(part) as stream:
                    while chunk := stream.read(CHUNK):
                        size += len(chunk)
                        if total + size > limits.max_unzipped_bytes:
                            raise _too_large(limits)
            except ArchiveRefused:
                raise
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
                raise ArchiveRefused(str(ARCHIVE_UNREADABLE).format(kind=kind)) from exc
            if size != declared.file_size:  # a forged directory: parsers would misread it
                raise ArchiveRefused(str(ARCHIVE_UNREADABLE).format(kind=kind))
            total += size
    return total


def zip_head(path: str | Path, name: str, size: int = 64 * 1024) -> bytes:
    """The first `size` unzipped bytes of one part (to peek at a header without unzipping the
    rest)."""
    with zipfile.ZipFile(path) as archive, archive.open(name) as stream:
        return stream.read(size)


def zip_names(path: str | Path, pattern: str) -> list[str]:
    """The parts whose name matches `pattern` (a regular expression, case ignored)."""
    regex = re.compile(pattern, re.IGNORECASE)
    with zipfile.ZipFile(path) as archive:
        return [name for name in archive.namelist() if regex.search(name)]
