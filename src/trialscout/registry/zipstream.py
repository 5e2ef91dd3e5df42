"""A bulk zip read member by member, without holding its whole table of contents (issue 13).

`zipfile.ZipFile` reads the central directory at open into one `ZipInfo` per member: for the
registry's bulk download (about 500,000 members) that is ~350 MB and over a minute before the
first record, and ingest's worker processes are forked with it. `StreamingZip` opens with only
the end record; `members()` parses the central directory entry by entry (the standard
library's own parsing, read in blocks), and `open(info)` reads a member as usual.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterator

_BLOCK = 1 << 20  # bytes of central directory read at a time
_ENTRY = struct.Struct(zipfile.structCentralDir)


class StreamingZip(zipfile.ZipFile):
    """A read-only `ZipFile` whose member list is not loaded (`namelist()` and friends are
    empty): iterate `members()` instead."""

    def _RealGetContents(self) -> None:  # noqa: N802 - overrides the standard library's hook
        endrec = zipfile._EndRecData(self.fp)
        if not endrec:
            raise zipfile.BadZipFile("File is not a zip file")
        self._cd_size = endrec[zipfile._ECD_SIZE]
        self._comment = endrec[zipfile._ECD_COMMENT]
        concat = endrec[zipfile._ECD_LOCATION] - self._cd_size - endrec[zipfile._ECD_OFFSET]
        if endrec[zipfile._ECD_SIGNATURE] == zipfile.stringEndArchive64:
            concat -= zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator
        self._concat = concat
        self.start_dir = endrec[zipfile._ECD_OFFSET] + concat
        if self.start_dir < 0:
            raise zipfile.BadZipFile("Bad offset for central directory")

    def members(self) -> Iterator[zipfile.ZipInfo]:
        """Each member's `ZipInfo`, in central-directory order, parsed as they are needed."""
        blocks = _Blocks(self, self.start_dir, self._cd_size)
        while blocks.left:
            head = blocks.take(_ENTRY.size)
            cd = _ENTRY.unpack(head)
            if cd[zipfile._CD_SIGNATURE] != zipfile.stringCentralDir:
                raise zipfile.BadZipFile("Bad magic number for central directory")
            yield self._info(cd, blocks)

    def _info(self, cd: tuple, blocks: _Blocks) -> zipfile.ZipInfo:
        raw = blocks.take(cd[zipfile._CD_FILENAME_LENGTH])
        utf8 = cd[zipfile._CD_FLAG_BITS] & 0x800
        x = zipfile.ZipInfo(raw.decode("utf-8" if utf8 else self.metadata_encoding or "cp437"))
        x.extra = blocks.take(cd[zipfile._CD_EXTRA_FIELD_LENGTH])
        x.comment = blocks.take(cd[zipfile._CD_COMMENT_LENGTH])
        x.header_offset = cd[zipfile._CD_LOCAL_HEADER_OFFSET]
        (x.create_version, x.create_system, x.extract_version, x.reserved, x.flag_bits,
         x.compress_type, t, d, x.CRC, x.compress_size, x.file_size) = cd[1:12]  # fmt: skip
        if x.extract_version > zipfile.MAX_EXTRACT_VERSION:
            raise NotImplementedError(f"zip file version {x.extract_version / 10:.1f}")
        x.volume, x.internal_attr, x.external_attr = cd[15:18]
        x._raw_time = t
        x.date_time = ((d >> 9) + 1980, (d >> 5) & 0xF, d & 0x1F, t >> 11, (t >> 5) & 0x3F,
                       (t & 0x1F) * 2)  # fmt: skip
        x._decodeExtra()
        x.header_offset += self._concat
        return x


class _Blocks:
    """The central directory's bytes, read in blocks through the archive's shared file."""

    def __init__(self, archive: zipfile.ZipFile, start: int, size: int) -> None:
        self.archive, self.pos, self.left = archive, start, size
        self.buf, self.at = b"", 0

    def take(self, n: int) -> bytes:
        if self.at + n > len(self.buf):
            rest = self.buf[self.at :]
            want = min(max(n - len(rest), _BLOCK), self.left - len(rest))
            with self.archive._lock:
                self.archive.fp.seek(self.pos)
                more = self.archive.fp.read(max(want, 0))
            self.pos += len(more)
            self.buf, self.at = rest + more, 0
        if self.at + n > len(self.buf):
            raise zipfile.BadZipFile("Truncated central directory")
        out = self.buf[self.at : self.at + n]
        self.at += n
        self.left -= n
        return out
