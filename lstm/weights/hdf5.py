"""A small read-only HDF5 reader in pure Python and NumPy, from bytes (the browser has no h5py).

It reads what h5py writes for Keras files (Keras 3 `.keras`/`.weights.h5`, Keras 2 `.h5`):
superblock versions 0-3, object headers versions 1 and 2 with continuation blocks, groups as
symbol tables (v1 B-tree + local heap) or as compact link messages, datasets stored contiguous
or compact, and attributes of numbers, fixed-length strings and variable-length strings (the
global heap). Chunked (compressed) datasets, dense link or attribute storage, shared messages,
compound and other types are refused by name. Checksums of version-2 structures are not checked.

Every read is bounds-checked against the file, every declared size against the limits before
anything is allocated, and every walk remembers where it has been, so a damaged or hostile
file (truncated, cyclic, absurd sizes) ends in a WeightsError naming the structure and offset.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from .checks import WeightsError, check_values

SIGNATURE = b"\x89HDF\r\n\x1a\n"
MAX_OBJECTS = 10_000  # objects (groups and datasets) in one walk
MAX_MESSAGES = 100_000  # header messages read, all objects together
MAX_DEPTH = 64
FLOATS = {  # size: (precision, exponent location, exponent size, mantissa size, bias) of IEEE
    2: (16, 10, 5, 10, 15),
    4: (32, 23, 8, 23, 127),
    8: (64, 52, 11, 52, 1023),
}


@dataclass
class Type:
    """An HDF5 datatype: kind "number" (with a NumPy dtype), "string", "vlen-string" or the
    name of a class not read here; size in bytes per element."""

    kind: str
    size: int
    dtype: np.dtype | None = None
    padding: int = 0


@dataclass
class Dataset:
    """A dataset: `shape`, `type`, `attrs`; `read()` gives its values as a NumPy array."""

    path: str
    shape: tuple
    type: Type
    attrs: dict
    _file: File = field(repr=False)
    _layout: bytes = field(repr=False)  # the layout message, read when the values are

    def read(self) -> np.ndarray:
        return self._file.dataset_values(self)


@dataclass
class Group:
    """A group: `attrs` and `members` by name (Groups and Datasets)."""

    path: str
    attrs: dict
    members: dict

    def get(self, path: str) -> Group | Dataset | None:
        """The member at a relative path "a/b/c", or None."""
        node = self
        for part in path.strip("/").split("/"):
            if not isinstance(node, Group) or part not in node.members:
                return None
            node = node.members[part]
        return node

    def walk(self) -> Iterator[Group | Dataset]:
        """Every node below this group, depth first, in name order."""
        for name in sorted(self.members):
            node = self.members[name]
            yield node
            if isinstance(node, Group):
                yield from node.walk()


def find_signature(data: bytes) -> int:
    """The offset of the HDF5 signature (0, 512, 1024, ...), or -1."""
    at = 0
    while at + 8 <= len(data):
        if data[at : at + 8] == SIGNATURE:
            return at
        at = 512 if at == 0 else 2 * at
    return -1


def read_hdf5(data: bytes) -> Group:
    """The root group of the HDF5 file in `data`, with its whole tree of groups and datasets."""
    return File(bytes(data)).root


class File:
    """The parsed file: sizes of offsets and lengths, and the tree from the root group."""

    def __init__(self, data: bytes):
        self.data = data
        start = find_signature(data)
        if start < 0:
            raise WeightsError("not an HDF5 file: no HDF5 signature")
        self.messages = 0
        self.objects = 0
        self.heaps: dict[int, dict[int, bytes]] = {}
        version = self.u(start + 8, 1, "superblock")
        if version in (0, 1):
            self.O, self.L = (self.u(start + j, 1, "superblock") for j in (13, 14))
            self._check_sizes()
            at = start + 24 + (4 if version == 1 else 0)
            self.base = self.u(at, self.O, "superblock")
            root_entry = at + 4 * self.O  # after base, free-space, end-of-file, driver addresses
            root = self.u(root_entry + self.O, self.O, "the root group's entry")
        elif version in (2, 3):
            self.O, self.L = (self.u(start + j, 1, "superblock") for j in (9, 10))
            self._check_sizes()
            self.base = self.u(start + 12, self.O, "superblock")
            root = self.u(start + 12 + 3 * self.O, self.O, "superblock")
        else:
            raise WeightsError(f"HDF5 superblock version {version} is not read here (0 to 3 are)")
        if self.base not in (0, start):
            raise WeightsError(f"HDF5 superblock: base address {self.base} is not the file start")
        self.base = start if self.base == start else 0
        self.undefined = (1 << (8 * self.O)) - 1
        self.root = self.node(root, "/", ())
        if not isinstance(self.root, Group):
            raise WeightsError("HDF5 root object is not a group")

    def _check_sizes(self) -> None:
        if self.O not in (4, 8) or self.L not in (4, 8):
            raise WeightsError(f"HDF5 superblock: sizes of offsets {self.O} and lengths {self.L}")

    # Bytes ---------------------------------------------------------------------------------

    def raw(self, at: int, n: int, what: str) -> bytes:
        """n bytes at file offset `at`, or a WeightsError saying the file ends first."""
        if at < 0 or n < 0 or at + n > len(self.data):
            raise WeightsError(
                f"HDF5 {what}: {n:,} bytes at offset {at:,} lie past the end of the file "
                f"({len(self.data):,} bytes): truncated or damaged"
            )
        return self.data[at : at + n]

    def u(self, at: int, n: int, what: str) -> int:
        return int.from_bytes(self.raw(at, n, what), "little")

    def addr(self, value: int) -> int:
        """A file address from a stored one (relative to the base address)."""
        return value + self.base

    def signature(self, at: int, sig: bytes, what: str) -> None:
        if self.raw(at, 4, what) != sig:
            raise WeightsError(f"HDF5 {what} at offset {at:,}: expected {sig.decode()} signature")

    # Object headers ------------------------------------------------------------------------

    def header_messages(self, at: int, path: str) -> list[tuple[int, int, bytes]]:
        """(type, flags, body) of every message of the object header at `at`."""
        what = f"object header of {path}"
        blocks, seen, out = [], set(), []
        if self.raw(at, 4, what) == b"OHDR":
            version = self.u(at + 4, 1, what)
            if version != 2:
                raise WeightsError(f"HDF5 {what}: OHDR version {version}")
            flags = self.u(at + 5, 1, what)
            pos = at + 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
            width = 1 << (flags & 3)
            size = self.u(pos, width, what)
            blocks.append((pos + width, size, 2, flags))
        else:
            version = self.u(at, 1, what)
            if version != 1:
                raise WeightsError(f"HDF5 {what} at offset {at:,}: unknown version {version}")
            blocks.append((at + 16, self.u(at + 8, 4, what), 1, 0))
        while blocks:
            start, size, version, flags = blocks.pop(0)
            if start in seen:
                raise WeightsError(f"HDF5 {what}: its continuation blocks form a cycle")
            seen.add(start)
            self.raw(start, size, what)  # the whole block is in the file
            pos, end = start, start + size
            head = 8 if version == 1 else 4 + (2 if flags & 0x04 else 0)
            while pos + head <= end:
                if version == 1:
                    kind, length = self.u(pos, 2, what), self.u(pos + 2, 2, what)
                    mflags = self.u(pos + 4, 1, what)
                else:
                    kind, length = self.u(pos, 1, what), self.u(pos + 1, 2, what)
                    mflags = self.u(pos + 3, 1, what)
                body_at = pos + head
                if body_at + length > end:
                    raise WeightsError(f"HDF5 {what}: a message runs past its block")
                body = self.raw(body_at, length, what)
                pos = body_at + length
                self.messages += 1
                if self.messages > MAX_MESSAGES:
                    raise WeightsError(f"HDF5 file has over {MAX_MESSAGES:,} header messages")
                if kind == 0x10:  # continuation
                    c_at = self.addr(self.int(body, 0, self.O, what))
                    c_len = self.int(body, self.O, self.L, what)
                    if version == 2:
                        self.signature(c_at, b"OCHK", what)
                        blocks.append((c_at + 4, c_len - 8, 2, flags))
                    else:
                        blocks.append((c_at, c_len, 1, 0))
                elif kind != 0:
                    out.append((kind, mflags, body))
        return out

    def dense(self, body: bytes, index_size: int, what: str) -> bool:
        """Whether a link-info or attribute-info message points to a fractal heap (dense
        storage); flag bit 0 says a creation-order index of `index_size` bytes comes first."""
        skip = index_size if self.int(body, 1, 1, what) & 1 else 0
        return self.int(body, 2 + skip, self.O, what) != self.undefined

    def int(self, body: bytes, at: int, n: int, what: str) -> int:
        if at + n > len(body):
            raise WeightsError(f"HDF5 {what}: a message is shorter than its fields")
        return int.from_bytes(body[at : at + n], "little")

    def node(self, at: int, path: str, ancestors: tuple) -> Group | Dataset | None:
        """The group or dataset whose object header is at `at` (None for other objects)."""
        if at in ancestors:
            raise WeightsError(f"HDF5 group cycle: {path} links back to a group above it")
        if len(ancestors) > MAX_DEPTH:
            raise WeightsError(f"HDF5 groups nest deeper than {MAX_DEPTH} at {path}")
        self.objects += 1
        if self.objects > MAX_OBJECTS:
            raise WeightsError(f"HDF5 file has over {MAX_OBJECTS:,} objects")
        messages = self.header_messages(at, path)
        kinds = {kind for kind, _, _ in messages}
        what = f"object header of {path}"
        for kind, mflags, _ in messages:
            if mflags & 0x02 and kind in (0x01, 0x03, 0x0C):
                raise WeightsError(f"HDF5 {what}: shared messages are not read here")
        attrs = {}
        for kind, _, body in messages:
            if kind == 0x0C:
                name, value = self.attribute(body, path)
                attrs[name] = value
            elif kind == 0x15 and self.dense(body, 2, what):
                raise WeightsError(f"HDF5 {path}: dense attribute storage is not read here")
        if kinds & {0x11, 0x06, 0x02}:
            links = self.links(messages, path)
            group = Group(path, attrs, {})
            inside = (*ancestors, at)
            for name, child in links:
                node = self.node(child, f"{path.rstrip('/')}/{name}", inside)
                if node is not None:
                    group.members[name] = node
            return group
        if 0x08 in kinds:
            body = {kind: b for kind, _, b in messages}
            if 0x01 not in body or 0x03 not in body:
                raise WeightsError(f"HDF5 dataset {path} lacks its dataspace or datatype")
            shape = self.dataspace(body[0x01], path)
            dtype = self.datatype(body[0x03], path)
            return Dataset(path, shape, dtype, attrs, self, body[0x08])
        return None

    # Groups --------------------------------------------------------------------------------

    def links(self, messages: list, path: str) -> list[tuple[str, int]]:
        """(name, object header address) of every member of a group."""
        what = f"group {path}"
        out = []
        for kind, _, body in messages:
            if kind == 0x11:  # symbol table: v1 B-tree of symbol nodes, names in a local heap
                btree = self.addr(self.int(body, 0, self.O, what))
                heap = self.local_heap(self.addr(self.int(body, self.O, self.O, what)), what)
                out += self.btree_entries(btree, heap, what, set())
            elif kind == 0x02 and self.dense(body, 8, what):
                raise WeightsError(f"HDF5 {what}: dense link storage is not read here")
            elif kind == 0x06:
                link = self.link(body, what)
                if link is not None:
                    out.append(link)
        names = [name for name, _ in out]
        for name in names:
            if not name or "/" in name or names.count(name) > 1:
                raise WeightsError(f"HDF5 {what}: member name {name!r} is invalid or repeated")
        return out

    def local_heap(self, at: int, what: str) -> bytes:
        self.signature(at, b"HEAP", f"{what}: local heap")
        size = self.u(at + 8, self.L, what)
        segment = self.addr(self.u(at + 8 + 2 * self.L, self.O, what))
        return self.raw(segment, size, f"{what}: local heap data")

    def btree_entries(self, at: int, heap: bytes, what: str, seen: set) -> list:
        if at in seen:
            raise WeightsError(f"HDF5 {what}: its B-tree links back to itself")
        seen.add(at)
        self.signature(at, b"TREE", f"{what}: B-tree node")
        node_type, level = self.u(at + 4, 1, what), self.u(at + 5, 1, what)
        entries = self.u(at + 6, 2, what)
        if node_type != 0:
            raise WeightsError(f"HDF5 {what}: B-tree node of type {node_type}, expected 0")
        pos = at + 8 + 2 * self.O + self.L  # past the siblings and the first key
        out = []
        for _ in range(entries):
            child = self.addr(self.u(pos, self.O, what))
            pos += self.O + self.L
            if level > 0:
                out += self.btree_entries(child, heap, what, seen)
            else:
                out += self.symbol_node(child, heap, what)
        return out

    def symbol_node(self, at: int, heap: bytes, what: str) -> list:
        self.signature(at, b"SNOD", f"{what}: symbol table node")
        count = self.u(at + 6, 2, what)
        size = 2 * self.O + 24
        out = []
        for j in range(count):
            entry = at + 8 + j * size
            offset = self.u(entry, self.O, what)
            header = self.addr(self.u(entry + self.O, self.O, what))
            end = heap.find(b"\0", offset)
            if offset >= len(heap) or end < 0:
                raise WeightsError(f"HDF5 {what}: a member name lies outside the local heap")
            out.append((self.text(heap[offset:end], what), header))
        return out

    def link(self, body: bytes, what: str) -> tuple[str, int] | None:
        """A link message's (name, address); None for soft and external links."""
        flags = self.int(body, 1, 1, what)
        pos = 2
        link_type = 0
        if flags & 0x08:
            link_type = self.int(body, pos, 1, what)
            pos += 1
        pos += 8 if flags & 0x04 else 0
        pos += 1 if flags & 0x10 else 0
        width = 1 << (flags & 3)
        length = self.int(body, pos, width, what)
        pos += width
        if pos + length > len(body):
            raise WeightsError(f"HDF5 {what}: a link name runs past its message")
        name = self.text(body[pos : pos + length], what)
        if link_type != 0:
            return None
        return name, self.addr(self.int(body, pos + length, self.O, what))

    @staticmethod
    def text(raw: bytes, what: str) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise WeightsError(f"HDF5 {what}: a name is not UTF-8") from None

    # Types, shapes, layouts ----------------------------------------------------------------

    def dataspace(self, body: bytes, path: str) -> tuple:
        what = f"dataspace of {path}"
        version, rank, flags = (self.int(body, j, 1, what) for j in range(3))
        if version == 1:
            start = 8
        elif version == 2:
            start = 4
            if self.int(body, 3, 1, what) == 2:
                return (0,)  # a null dataspace: no elements
        else:
            raise WeightsError(f"HDF5 {what}: version {version}")
        if rank > 32:
            raise WeightsError(f"HDF5 {what}: rank {rank}")
        shape = tuple(self.int(body, start + j * self.L, self.L, what) for j in range(rank))
        check_values(f"HDF5 {path}", shape)
        del flags  # maximum sizes, if stored, follow; they do not matter for reading
        return shape

    def datatype(self, body: bytes, path: str) -> Type:
        what = f"datatype of {path}"
        cls = self.int(body, 0, 1, what) & 0x0F
        bits = self.int(body, 1, 3, what)
        size = self.int(body, 4, 4, what)
        order = ">" if bits & 1 else "<"
        if cls == 0:  # fixed point
            offset, precision = self.int(body, 8, 2, what), self.int(body, 10, 2, what)
            if size not in (1, 2, 4, 8) or offset != 0 or precision != 8 * size:
                raise WeightsError(f"HDF5 {what}: an integer of {precision} bits in {size} bytes")
            return Type("number", size, np.dtype(f"{order}{'i' if bits & 8 else 'u'}{size}"))
        if cls == 1:  # floating point
            layout = (self.int(body, 10, 2, what), self.int(body, 12, 1, what),
                      self.int(body, 13, 1, what), self.int(body, 15, 1, what),
                      self.int(body, 16, 4, what))  # fmt: skip
            if bits & 0x40 or FLOATS.get(size) != layout or self.int(body, 8, 2, what) != 0:
                raise WeightsError(f"HDF5 {what}: not an IEEE float of 2, 4 or 8 bytes")
            return Type("number", size, np.dtype(f"{order}f{size}"))
        if cls == 3:
            return Type("string", size, padding=bits & 0x0F)
        if cls == 9 and bits & 0x0F == 1:
            return Type("vlen-string", 4 + self.O + 4)
        names = {2: "time", 4: "bitfield", 5: "opaque", 6: "compound", 7: "reference",
                 8: "enum", 9: "variable-length sequence", 10: "array"}
        return Type(names.get(cls, f"class {cls}"), size)

    def layout(self, body: bytes, path: str) -> tuple:
        what = f"layout of {path}"
        version, cls = self.int(body, 0, 1, what), self.int(body, 1, 1, what)
        if version not in (3, 4):
            raise WeightsError(f"HDF5 {what}: layout message version {version} is not read here")
        if cls == 0:
            size = self.int(body, 2, 2, what)
            if 4 + size > len(body):
                raise WeightsError(f"HDF5 {what}: compact data runs past its message")
            return ("compact", body[4 : 4 + size])
        if cls == 1:
            return ("contiguous", self.int(body, 2, self.O, what),
                    self.int(body, 2 + self.O, self.L, what))
        kind = {2: "chunked (compressed or resizable)", 3: "virtual"}.get(cls, f"class {cls}")
        raise WeightsError(
            f"HDF5 dataset {path} is stored {kind}, which is not read here: save it without "
            f"compression or chunks (Keras does by default)"
        )

    # Values --------------------------------------------------------------------------------

    def dataset_values(self, ds: Dataset) -> np.ndarray:
        if ds.type.kind != "number":
            raise WeightsError(f"HDF5 dataset {ds.path} holds {ds.type.kind}s, not numbers")
        count = check_values(f"HDF5 {ds.path}", ds.shape)
        nbytes = count * ds.type.size
        layout = self.layout(ds._layout, ds.path)
        if layout[0] == "compact":
            raw = layout[1]
        else:
            _, at, size = layout
            if at == self.undefined:
                raise WeightsError(f"HDF5 dataset {ds.path} has no data written")
            if size < nbytes:
                raise WeightsError(
                    f"HDF5 dataset {ds.path}: shape {ds.shape} needs {nbytes:,} bytes but its "
                    f"storage holds {size:,}"
                )
            raw = self.raw(self.addr(at), nbytes, f"dataset {ds.path}")
        if len(raw) < nbytes:
            raise WeightsError(f"HDF5 dataset {ds.path}: its data is shorter than its shape")
        return np.frombuffer(raw, ds.type.dtype, count).reshape(ds.shape)

    def attribute(self, body: bytes, path: str) -> tuple[str, object]:
        what = f"attribute of {path}"
        version = self.int(body, 0, 1, what)
        if version not in (1, 2, 3):
            raise WeightsError(f"HDF5 {what}: version {version}")
        if version > 1 and self.int(body, 1, 1, what) & 3:
            raise WeightsError(f"HDF5 {what}: shared datatype or dataspace is not read here")
        name_size, type_size, space_size = (self.int(body, 2 + 2 * j, 2, what) for j in range(3))
        pad = (lambda n: (n + 7) // 8 * 8) if version == 1 else (lambda n: n)
        pos = 8 if version < 3 else 9
        name = self.text(body[pos : pos + name_size].rstrip(b"\0"), what)
        pos += pad(name_size)
        dtype = self.datatype(body[pos : pos + type_size], f"{path} attribute {name!r}")
        pos += pad(type_size)
        shape = self.dataspace(body[pos : pos + space_size], f"{path} attribute {name!r}")
        pos += pad(space_size)
        count = int(np.prod(shape)) if shape else 1
        raw = body[pos : pos + count * dtype.size]
        if len(raw) < count * dtype.size:
            raise WeightsError(f"HDF5 {what} {name!r}: its value is shorter than its shape")
        return name, self.value(raw, dtype, shape, f"{path} attribute {name!r}")

    def value(self, raw: bytes, dtype: Type, shape: tuple, what: str):
        """An attribute's value: an array of numbers, a str, or a list of str."""
        count = int(np.prod(shape)) if shape else 1
        if dtype.kind == "number":
            return np.frombuffer(raw, dtype.dtype, count).reshape(shape)
        if dtype.kind == "string":
            items = [raw[j * dtype.size : (j + 1) * dtype.size] for j in range(count)]
            strip = b" " if dtype.padding == 2 else b"\0"
            texts = [item.split(b"\0")[0].rstrip(strip) for item in items]
        elif dtype.kind == "vlen-string":
            texts = []
            for j in range(count):
                item = raw[j * dtype.size : (j + 1) * dtype.size]
                length = int.from_bytes(item[:4], "little")
                heap = self.addr(int.from_bytes(item[4 : 4 + self.O], "little"))
                index = int.from_bytes(item[4 + self.O :], "little")
                texts.append(self.global_object(heap, index, what)[:length])
        else:
            return None  # a type not read here: the attribute is there, its value is not
        strings = [t.decode("utf-8", "replace") for t in texts]
        return strings[0] if not shape else strings

    def global_object(self, at: int, index: int, what: str) -> bytes:
        """Object `index` of the global heap collection at `at` (variable-length data)."""
        if at not in self.heaps:
            self.signature(at, b"GCOL", f"{what}: global heap")
            size = self.u(at + 8, self.L, what)
            collection = self.raw(at, size, f"{what}: global heap")
            objects, pos = {}, 8 + self.L
            while pos + 8 + self.L <= size:
                number = int.from_bytes(collection[pos : pos + 2], "little")
                length = int.from_bytes(collection[pos + 8 : pos + 8 + self.L], "little")
                if number == 0:
                    break  # free space
                start = pos + 8 + self.L
                if start + length > size:
                    raise WeightsError(f"HDF5 {what}: a global heap object runs past its heap")
                objects[number] = collection[start : start + length]
                pos = start + (length + 7) // 8 * 8
            self.heaps[at] = objects
        if index not in self.heaps[at]:
            raise WeightsError(f"HDF5 {what}: global heap object {index} is missing")
        return self.heaps[at][index]
