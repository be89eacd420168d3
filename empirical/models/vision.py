"""Four small image classifiers for 8×8 digits: ViT, CNN, MLP, ConvMixer.

All take images (B, 1, 8, 8) and return logits (B, 10) (other sizes: ``VisionConfig.image`` and
``in_channels``, e.g. (B, 3, 32, 32) for CIFAR-10), so token sensitivity (Definition 3.1 of
Vasudeva et al. (2025), "Transformers Learn Low Sensitivity Functions: Investigations and
Implications", ICLR 2025) can perturb image patches (tokens) identically for every architecture.
The ViT follows Vasudeva et al. at toy scale: patch embedding, CLS token, learned positions, pre-LN encoder blocks, CLS readout.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

from boolsens import BoolsensError


@dataclass(frozen=True)
class VisionConfig:
    """The frozen settings of the four classifiers (each reads the fields it uses)."""

    patch: int = 2
    d_model: int = 64     # ViT width
    n_layers: int = 2     # ViT blocks, ConvMixer blocks
    n_heads: int = 4
    channels: int = 32    # CNN channels (ConvMixer: twice this)
    d_mlp: int = 256      # the MLP classifier's hidden width
    classes: int = 10
    image: int = 8
    in_channels: int = 1  # image channels (3 for CIFAR-10 and SVHN)
    dropout: float = 0.0  # ViT attention/MLP and embedding dropout (Vasudeva et al.'s code: 0.1)


class ViT(nn.Module):
    """A vision transformer: p×p patches, a [CLS] token, learned positions, a pre-norm encoder, a linear
    head on [CLS]: (B, 1, 8, 8) -> (B, classes)."""

    def __init__(self, cfg: VisionConfig):
        super().__init__()
        self.cfg = cfg
        p, d = cfg.patch, cfg.d_model
        self.n_tokens = (cfg.image // p) ** 2
        self.patch_embed = nn.Linear(cfg.in_channels * p * p, d)
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        self.pos = nn.Parameter(0.02 * torch.randn(1, self.n_tokens + 1, d))
        layer = nn.TransformerEncoderLayer(d, cfg.n_heads, 2 * d, dropout=cfg.dropout, batch_first=True,
                                           norm_first=True, activation="gelu")
        self.emb_dropout = nn.Dropout(cfg.dropout)
        self.encoder = nn.TransformerEncoder(layer, cfg.n_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, cfg.classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The logits: ``x`` (B, 1, 8, 8) images -> (B, classes)."""
        B, p = x.shape[0], self.cfg.patch
        t = x.unfold(2, p, p).unfold(3, p, p)  # (B, C, h, w, p, p)
        t = t.permute(0, 2, 3, 1, 4, 5).reshape(B, self.n_tokens, -1)  # (B, T, C·p²), row-major patches
        h = self.patch_embed(t)  # (B, T, d)
        h = self.emb_dropout(torch.cat([self.cls.expand(B, -1, -1), h], dim=1) + self.pos)  # (B, T+1, d)
        h = self.encoder(h)  # (B, T+1, d)
        return self.head(self.norm(h[:, 0]))  # (B, classes)


class CNN(nn.Module):
    """Two 3×3 convolutions (ReLU), 2×2 max pooling, a linear head: (B, 1, 8, 8) -> (B, classes)."""

    def __init__(self, cfg: VisionConfig):
        super().__init__()
        c = cfg.channels
        self.net = nn.Sequential(
            nn.Conv2d(cfg.in_channels, c, 3, padding=1), nn.ReLU(),  # (B, c, 8, 8)
            nn.Conv2d(c, 2 * c, 3, padding=1), nn.ReLU(),  # (B, 2c, 8, 8)
            nn.MaxPool2d(2),  # (B, 2c, 4, 4)
            nn.Flatten(),  # (B, 32c)
            nn.Linear(2 * c * (cfg.image // 2) ** 2, cfg.classes),  # (B, classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The logits: ``x`` (B, 1, 8, 8) images -> (B, classes)."""
        return self.net(x)  # (B, classes)


class MLP(nn.Module):
    """Two hidden layers of width ``d_mlp`` (ReLU) on the 64 pixels, a linear head: (B, 1, 8, 8) -> (B,
    classes)."""

    def __init__(self, cfg: VisionConfig):
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(),  # (B, 64)
            nn.Linear(cfg.in_channels * cfg.image**2, cfg.d_mlp), nn.ReLU(),  # (B, d_mlp)
            nn.Linear(cfg.d_mlp, cfg.d_mlp), nn.ReLU(),  # (B, d_mlp)
            nn.Linear(cfg.d_mlp, cfg.classes),  # (B, classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The logits: ``x`` (B, 1, 8, 8) images -> (B, classes)."""
        return self.net(x)  # (B, classes)


class _Residual(nn.Module):
    def __init__(self, fn: nn.Module):
        super().__init__()
        self.fn = fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.fn(x)


class ConvMixer(nn.Module):
    """Patch embedding (conv, stride = patch), then n_layers × [depthwise 3×3 conv (residual),
    pointwise 1×1 conv], GELU + BatchNorm after each, global average pool, linear head."""

    def __init__(self, cfg: VisionConfig):
        super().__init__()
        c, p = cfg.channels * 2, cfg.patch
        blocks = []
        for _ in range(cfg.n_layers):
            blocks += [
                _Residual(nn.Sequential(nn.Conv2d(c, c, 3, padding=1, groups=c), nn.GELU(), nn.BatchNorm2d(c))),
                nn.Conv2d(c, c, 1), nn.GELU(), nn.BatchNorm2d(c),
            ]
        self.net = nn.Sequential(
            nn.Conv2d(cfg.in_channels, c, p, stride=p), nn.GELU(), nn.BatchNorm2d(c),  # (B, c, 8/p, 8/p)
            *blocks,  # (B, c, 8/p, 8/p)
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),  # (B, c)
            nn.Linear(c, cfg.classes),  # (B, classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The logits: ``x`` (B, 1, 8, 8) images -> (B, classes)."""
        return self.net(x)  # (B, classes)


ARCHITECTURES = {"vit": ViT, "cnn": CNN, "mlp": MLP, "convmixer": ConvMixer}


def build(kind: str, cfg: VisionConfig) -> nn.Module:
    """The model of architecture ``kind`` (a key of ``ARCHITECTURES``) built from ``cfg``."""
    if kind not in ARCHITECTURES:
        raise BoolsensError(f"architecture={kind!r} must be one of {sorted(ARCHITECTURES)}")
    return ARCHITECTURES[kind](cfg)
