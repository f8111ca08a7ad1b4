"""The encoder in PyTorch: XLM-RoBERTa / BERT layers (post-LayerNorm, GELU), mean pooling over
the tokens, and a linear head for the reasons.

Which weights train: every layer, the embeddings' LayerNorm and the head. The word table
(250,000 × 384) stays frozen and packed in 4 bits — it is most of the model, fine-tuning on a
few thousand complaints would move only the rows of their words, and leaving it out keeps a
stored model to the layers; the position and token-type embeddings stay frozen too.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from sawt.textanalytics.deep.weights import Base, Config, Q4Rows


class WordTable(nn.Module):
    """Frozen word embeddings; 4-bit rows are unpacked only for the tokens of a batch."""

    scales: torch.Tensor
    nibbles: torch.Tensor
    table: torch.Tensor

    def __init__(self, word: Q4Rows | np.ndarray) -> None:
        super().__init__()
        self.packed = isinstance(word, Q4Rows)
        if isinstance(word, Q4Rows):
            self.register_buffer("scales", torch.from_numpy(word.scales.astype(np.float32)))
            self.register_buffer("nibbles", torch.from_numpy(word.nibbles))
        else:
            self.register_buffer("table", torch.from_numpy(np.asarray(word, np.float32)))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if not self.packed:
            return self.table[ids]
        nibbles = self.nibbles[ids]  # [..., blocks, 16]
        low = (nibbles & 0x0F).float() - 8
        high = (nibbles >> 4).float() - 8
        values = torch.cat([low, high], dim=-1) * self.scales[ids].unsqueeze(-1)
        return values.flatten(-2)


class Layer(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        h = config.hidden
        self.heads = config.heads
        self.qkv = nn.Linear(h, 3 * h)  # q, k and v in one matrix product
        self.out = nn.Linear(h, h)
        self.attention_norm = nn.LayerNorm(h, eps=config.eps)
        self.up = nn.Linear(h, config.ffn)
        self.down = nn.Linear(config.ffn, h)
        self.output_norm = nn.LayerNorm(h, eps=config.eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length, hidden = x.shape
        q, k, v = self.qkv(x).view(batch, length, 3, self.heads, hidden // self.heads).unbind(dim=2)
        context = F.scaled_dot_product_attention(
            q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), attn_mask=mask
        )
        x = self.attention_norm(x + self.out(context.transpose(1, 2).reshape(x.shape)))
        return self.output_norm(x + self.down(F.gelu(self.up(x))))


class Encoder(nn.Module):
    position: torch.Tensor
    token_type: torch.Tensor

    def __init__(self, base: Base, classes: int, dropout: float = 0.1) -> None:
        super().__init__()
        config = base.config
        self.word = WordTable(base.word)
        t = base.tensors
        self.register_buffer("position", torch.from_numpy(t["emb.pos"].copy()))
        self.register_buffer("token_type", torch.from_numpy(t["emb.type"][: config.hidden].copy()))
        self.norm = nn.LayerNorm(config.hidden, eps=config.eps)
        self.layers = nn.ModuleList(Layer(config) for _ in range(config.layers))
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(config.hidden, classes)
        self._load_base(base)

    def _load_base(self, base: Base) -> None:
        t = base.tensors
        with torch.no_grad():
            _set(self.norm.weight, t["emb.ln.w"])
            _set(self.norm.bias, t["emb.ln.b"])
            for i, module in enumerate(self.layers):
                layer = cast(Layer, module)
                p = f"l{i}."
                _set(layer.qkv.weight, np.concatenate([t[p + n + ".w"] for n in "qkv"]))
                _set(layer.qkv.bias, np.concatenate([t[p + n + ".b"] for n in "qkv"]))
                parts: tuple[tuple[nn.Linear | nn.LayerNorm, str], ...] = (
                    (layer.out, "ao"),
                    (layer.up, "fi"),
                    (layer.down, "fo"),
                    (layer.attention_norm, "aln"),
                    (layer.output_norm, "oln"),
                )
                for part, name in parts:
                    _set(part.weight, t[p + name + ".w"])
                    _set(part.bias, t[p + name + ".b"])
            nn.init.normal_(self.head.weight, std=0.02)
            nn.init.zeros_(self.head.bias)

    def trained(self) -> dict[str, torch.Tensor]:
        """The parameters fine-tuning changes (everything but the frozen buffers)."""
        return dict(self.named_parameters())

    def pooled(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Mean of the last layer over each text's tokens (<s> and </s> included, as e5)."""
        length = ids.shape[1]
        x = self.word(ids) + self.position[:length] + self.token_type
        x = self.norm(x)
        # Padding is never attended to: [batch, 1, 1, length], True where a token is real.
        attend = mask[:, None, None, :]
        for layer in self.layers:
            x = layer(x, attend)
        weights = mask.unsqueeze(-1).to(x.dtype)
        return (x * weights).sum(1) / weights.sum(1)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.pooled(ids, mask)))


def _set(parameter: torch.Tensor, value: np.ndarray) -> None:
    parameter.copy_(torch.from_numpy(np.asarray(value, np.float32)).view_as(parameter))


def batch_tensors(sequences: list[list[int]], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Pad to the longest of the batch: ids and a mask of the real tokens."""
    length = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), length), pad, dtype=torch.long)
    mask = torch.zeros((len(sequences), length), dtype=torch.bool)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = torch.tensor(seq, dtype=torch.long)
        mask[row, : len(seq)] = True
    return ids, mask
