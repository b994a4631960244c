"""A minimal Outlook .msg writer for the tests: a Compound File (CFB v3) holding the MAPI
property streams Outlook writes (subject, sender, body, the original Internet headers).

Every stream is small and lives in the mini stream, as Outlook stores short properties.
"""

import struct

SECTOR = 512
MINI = 64
FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF


def _entry(name, kind, start=END, size=0, child=NOSTREAM, right=NOSTREAM) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", NOSTREAM, right, child)
        + b"\0" * 16
        + b"\0" * 4
        + b"\0" * 16
        + struct.pack("<IQ", start, size)
    )


def _key(name: str):
    return (len(name), name.upper())


def msg_file(
    *, subject: str, sender: str, sender_name: str, to: str, body: str, headers: str
) -> bytes:
    def text(value: str) -> bytes:
        return value.encode("utf-16-le")

    streams = {
        "__substg1.0_001A001F": text("IPM.Note"),
        "__substg1.0_0037001F": text(subject),
        "__substg1.0_0C1F001F": text(sender),
        "__substg1.0_0C1A001F": text(sender_name),
        "__substg1.0_0E04001F": text(to),
        "__substg1.0_1000001F": text(body),
        "__substg1.0_007D001F": text(headers),
        "__properties_version1.0": b"\0" * 32,
    }
    names = sorted(streams, key=_key)
    # Every stream is small: all live in the mini stream (64-byte mini sectors), itself
    # stored in regular sectors as the root entry's data.
    mini, starts, minifat = b"", {}, []
    for name in names:
        content = streams[name]
        assert len(content) < 4096, "test streams stay under the mini-stream cutoff"
        count = -(-len(content) // MINI)
        starts[name] = len(mini) // MINI if count else END
        minifat += [len(minifat) + i + 1 for i in range(count - 1)] + ([END] if count else [])
        mini += content.ljust(count * MINI, b"\0")
    minifat_sectors = max(1, -(-len(minifat) * 4 // SECTOR))
    minifat += [FREE] * (minifat_sectors * SECTOR // 4 - len(minifat))
    container_sectors = max(1, -(-len(mini) // SECTOR))
    container = mini.ljust(container_sectors * SECTOR, b"\0")
    dir_sectors = -(-(1 + len(names)) * 128 // SECTOR)
    # Layout: [FAT][directory][mini FAT][mini stream]
    fat_sectors = 1
    dir_start = fat_sectors
    minifat_start = dir_start + dir_sectors
    container_start = minifat_start + minifat_sectors
    total = container_start + container_sectors
    assert total <= SECTOR // 4, "test message too large for one FAT sector"

    def chain(first: int, count: int) -> list[int]:
        return [first + i + 1 for i in range(count - 1)] + [END]

    fat = [FATSECT] + chain(dir_start, dir_sectors) + chain(minifat_start, minifat_sectors)
    fat += chain(container_start, container_sectors)
    fat += [FREE] * (SECTOR // 4 - len(fat))
    directory = _entry("Root Entry", 5, start=container_start, size=len(mini), child=1)
    for index, name in enumerate(names, start=1):
        right = index + 1 if index < len(names) else NOSTREAM
        directory += _entry(name, 2, start=starts[name], size=len(streams[name]), right=right)
    empty = _entry("", 0, start=0)
    while len(directory) < dir_sectors * SECTOR:
        directory += empty
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<II", 0, fat_sectors)
        + struct.pack("<II", dir_start, 0)
        + struct.pack("<I", 4096)
        + struct.pack("<II", minifat_start, minifat_sectors)
        + struct.pack("<II", END, 0)
        + struct.pack("<I", 0)  # DIFAT: the one FAT sector is sector 0
        + struct.pack("<108I", *([FREE] * 108))
    )
    assert len(header) == SECTOR
    return (
        header
        + struct.pack(f"<{SECTOR // 4}I", *fat)
        + directory
        + struct.pack(f"<{minifat_sectors * SECTOR // 4}I", *minifat)
        + container
    )
