"""core.archives: a zip is measured from its directory, then by unzipping it as a stream that
counts the real bytes, never trusting the sizes it declares."""

import zipfile

import pytest
from django.utils import translation

from core.archives import ArchiveRefused, ZipLimits, megabytes, zip_check, zip_measure
from tests.prospects.test_import_limits import forge_declared_size

LIMITS = ZipLimits(max_unzipped_bytes=1024 * 1024, max_ratio=100, max_parts=3)


def write_zip(path, parts: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_a_zip_within_the_limits_is_measured_to_its_real_size(tmp_path):
    path = write_zip(tmp_path / "ok.zip", {"a.xml": b"<a/>" * 1000, "b.xml": b"x" * 500})
    assert len(zip_check(path, LIMITS)) == 2
    assert zip_measure(path, LIMITS) == 4500


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"a": b"a", "b": b"b", "c": b"c", "d": b"d"}, "made of 4 parts"),
        ({"big.xml": b"a" * (2 * 1024 * 1024)}, "unzips to more than 1 MB"),
    ],
)
def test_the_directory_alone_refuses_too_many_parts_or_bytes(tmp_path, parts, message):
    path = write_zip(tmp_path / "x.zip", parts)
    with pytest.raises(ArchiveRefused, match=message):
        zip_check(path, LIMITS)


def test_a_part_expanding_beyond_the_ratio_is_refused(tmp_path):
    path = write_zip(tmp_path / "x.zip", {"dense.xml": b"a" * (2 * 1024 * 1024)})
    limits = ZipLimits(max_unzipped_bytes=10 * 1024 * 1024, max_ratio=100, max_parts=3)
    with pytest.raises(ArchiveRefused, match="compressed abnormally"):
        zip_check(path, limits)


def test_declared_sizes_are_not_trusted(tmp_path):
    path = write_zip(tmp_path / "x.zip", {"big.xml": b"a" * (2 * 1024 * 1024)})
    forge_declared_size(path, "big.xml", 100)
    zip_check(path, ZipLimits(max_unzipped_bytes=1024 * 1024, max_ratio=10**6, max_parts=3))
    with pytest.raises(ArchiveRefused, match="unzips to more than 1 MB"):
        zip_measure(path, ZipLimits(max_unzipped_bytes=1024 * 1024, max_ratio=10**6, max_parts=3))
    # Within the limit, a part that unzips to more than it declares is a forged file.
    with pytest.raises(ArchiveRefused, match="not a valid zip file"):
        zip_measure(
            path, ZipLimits(max_unzipped_bytes=10 * 1024 * 1024, max_ratio=10**6, max_parts=3)
        )


def test_not_a_zip(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ArchiveRefused, match="not a valid Excel"):
        zip_check(path, LIMITS, kind="Excel")


def test_megabytes_read_as_users_write_them():
    assert megabytes(100 * 1024 * 1024) == "100"
    assert megabytes(2 * 1024 * 1024) == "2"
    with translation.override("fr"):
        assert megabytes(int(2.5 * 1024 * 1024)) == "2,5"
