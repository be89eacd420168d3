"""Readers for the papers' real datasets in their official on-disk formats (numpy only; no download).

The ``gpu`` presets of vision-sensitivity and sequence-sensitivity train on the datasets of
Vasudeva et al. (2025), "Transformers Learn Low Sensitivity Functions: Investigations and
Implications", ICLR 2025: CIFAR-10 and CIFAR-10-C, Fashion-MNIST and SVHN (vision), MRPC and QQP
(GLUE, text). Nothing is downloaded here (torchvision and Hugging Face ``datasets`` are not
required): fetch the files from the official addresses in :data:`URLS` and put them under one
folder ``data_dir``, laid out as below (the layouts torchvision and the GLUE download script
leave); every reader searches the folders listed, in order, and takes the first that holds all
its files::

    <data_dir>/cifar-10-batches-py/data_batch_1 … data_batch_5, test_batch   (or, unextracted,
    <data_dir>/cifar-10-python.tar.gz)
    <data_dir>/CIFAR-10-C/<corruption>.npy, labels.npy            (or <data_dir>/CIFAR-10-C.tar)
    <data_dir>/FashionMNIST/raw/ or <data_dir>/fashion-mnist/ or <data_dir>/:
        train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz,
        t10k-labels-idx1-ubyte.gz   (the gunzipped files, same names without .gz, are read too)
    <data_dir>/SVHN/ or <data_dir>/svhn/ or <data_dir>/: train_32x32.mat, test_32x32.mat
    <data_dir>/MRPC/ or <data_dir>/glue_data/MRPC/: train.tsv, dev.tsv    (QQP likewise)

Layout of what comes back: images are float32 **NCHW** ``(N, C, H, W)``, pixels v ∈ {0 … 255}
mapped to 2·v/255 − 1 ∈ [−1, 1] (the range :func:`empirical.data.real.digits` uses: the paper's
pixels in [0, 1], then mean 0.5 / std 0.5); labels are int64 ``(N,)`` in 0 … 9. Rows keep the
files' order. Text comes back as sentence pairs and int64 labels; :func:`tokenize`,
:func:`build_vocab` and :func:`encode_pairs` turn pairs into the right-padded ids the text
models take (``empirical.models.padded_text``: ids ``(N, L)``, padding id = vocabulary size,
lengths ``(N,)``).

Checksums (:data:`MD5`): the MD5s of the official files as torchvision's source lists them
(CIFAR-10 archive and batches, Fashion-MNIST, SVHN) and as Zenodo lists it (CIFAR-10-C.tar).
With ``verify=True`` (the default) every listed file that is read is hashed first (once per
process; a file's size and modification time key the memo) and a mismatch raises. The CIFAR-10-C
``.npy`` files and the GLUE TSVs have no published per-file checksums: they are checked by shape
and header instead. A missing dataset, a checksum mismatch or a malformed file raises one
:class:`~boolsens.BoolsensError` naming the dataset, the folder and the files.
"""

from __future__ import annotations

import collections
import csv
import gzip
import hashlib
import io
import os
import pickle
import re
import tarfile
from pathlib import Path

import numpy as np

from boolsens import BoolsensError

__all__ = ["URLS", "MD5", "CIFAR10C_CORRUPTIONS", "GLUE_TASKS", "SPECIAL_TOKENS", "available", "cifar10",
           "cifar10c", "fashion_mnist", "svhn", "glue", "tokenize", "build_vocab", "encode_pairs"]

#: where each dataset is published (nothing here downloads it)
URLS = {
    "cifar10": "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    "cifar10c": "https://zenodo.org/records/2535967/files/CIFAR-10-C.tar",
    "fashion_mnist": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/ "
                     "(also https://github.com/zalandoresearch/fashion-mnist, folder data/fashion)",
    "svhn": "http://ufldl.stanford.edu/housenumbers/ (train_32x32.mat, test_32x32.mat)",
    "mrpc": "https://gluebenchmark.com/tasks (GLUE's MRPC; the GLUE download script "
            "https://github.com/nyu-mll/GLUE-baselines download_glue_data.py writes glue_data/MRPC/)",
    "qqp": "https://dl.fbaipublicfiles.com/glue/data/QQP-clean.zip (GLUE's QQP, via https://gluebenchmark.com/tasks)",
}

#: MD5 of the official files, by file name (torchvision's source; CIFAR-10-C.tar: Zenodo record 2535967)
MD5 = {
    "cifar-10-python.tar.gz": "c58f30108f718f92721af3b95e74349a",
    "data_batch_1": "c99cafc152244af753f735de768cd75f",
    "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
    "data_batch_4": "634d18415352ddfa80567beed471001a",
    "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
    "test_batch": "40351d587109b95175f43aff81a1287e",
    "CIFAR-10-C.tar": "56bf5dcef84df0e2308c6dcbcbbd8499",
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    "train_32x32.mat": "e26dedcc434d2e4c54c9b2d4a06d8373",
    "test_32x32.mat": "eb5a983be6a315427106f1b164d9cef3",
}

#: the 19 corruptions of CIFAR-10-C (Hendrycks & Dietterich, ICLR 2019), one ``.npy`` each; the
#: first 15 are the benchmark's, the last 4 its held-out extras
CIFAR10C_CORRUPTIONS = (
    "gaussian_noise", "shot_noise", "impulse_noise", "defocus_blur", "glass_blur", "motion_blur", "zoom_blur",
    "snow", "frost", "fog", "brightness", "contrast", "elastic_transform", "pixelate", "jpeg_compression",
    "speckle_noise", "gaussian_blur", "spatter", "saturate",
)

#: the GLUE tasks read here: folder, (sentence 1, sentence 2, label) column names
GLUE_TASKS = {
    "mrpc": ("MRPC", ("#1 String", "#2 String", "Quality")),
    "qqp": ("QQP", ("question1", "question2", "is_duplicate")),
}

#: the ids :func:`build_vocab` reserves: 0 for a word outside the vocabulary, 1 between the two sentences
SPECIAL_TOKENS = ("[UNK]", "[SEP]")

_SPLITS = ("train", "test")
_md5_memo: dict[tuple[str, int, int], str] = {}


# ------------------------------------------------------------------ shared helpers


def _missing(dataset: str, folders: list[Path], files: list[str]) -> BoolsensError:
    where = " or ".join(str(f) for f in folders)
    return BoolsensError(f"{dataset}: the files {', '.join(files)} were not found in {where}; download them from "
                         f"{URLS[_key(dataset)]} (no download here) and put them there")


def _key(dataset: str) -> str:
    return {"CIFAR-10": "cifar10", "CIFAR-10-C": "cifar10c", "Fashion-MNIST": "fashion_mnist", "SVHN": "svhn",
            "MRPC": "mrpc", "QQP": "qqp"}[dataset]


def _root(data_dir, dataset: str) -> Path:
    if data_dir is None or str(data_dir) == "":
        raise BoolsensError(f"{dataset}: data_dir is empty; give the folder that holds the dataset "
                            f"(--set data_dir=/path; files from {URLS[_key(dataset)]})")
    return Path(os.path.expanduser(str(data_dir)))


def _split(split: str, dataset: str, allowed=_SPLITS) -> str:
    if split not in allowed:
        raise BoolsensError(f"{dataset}: split={split!r} must be one of {list(allowed)}")
    return split


def _md5(path: Path) -> str:
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _md5_memo:
        h = hashlib.md5()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        _md5_memo[key] = h.hexdigest()
    return _md5_memo[key]


def _verify(path: Path, dataset: str, verify: bool) -> None:
    """Hash ``path`` against :data:`MD5` (when listed and ``verify``); a mismatch raises."""
    expected = MD5.get(path.name)
    if verify and expected is not None:
        got = _md5(path)
        if got != expected:
            raise BoolsensError(
                f"{dataset}: {path} has MD5 {got}, not the official {expected}: a partial or altered download; "
                f"fetch it again from {URLS[_key(dataset)]} (or pass verify=False to read it anyway)")


def _pixels(u8: np.ndarray) -> np.ndarray:
    """uint8 pixels -> float32 2·v/255 − 1 in [−1, 1]."""
    return (u8.astype(np.float32) * np.float32(2.0 / 255.0) - np.float32(1.0)).astype(np.float32)


def _first_folder(candidates: list[Path], files: list[str]) -> Path | None:
    for folder in candidates:
        if all((folder / f).is_file() for f in files):
            return folder
    return None


# ------------------------------------------------------------------ CIFAR-10


def _cifar_batch(raw: bytes, name: str, where: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        d = pickle.loads(raw, encoding="bytes")
        data, labels = d[b"data"], d[b"labels"]
    except Exception as exc:
        raise BoolsensError(f"CIFAR-10: {where}/{name} is not a CIFAR-10 python batch (a pickled dict with "
                            f"b'data' and b'labels'): {type(exc).__name__}: {exc}") from exc
    data = np.asarray(data)
    labels = np.asarray(labels, dtype=np.int64)
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072 or len(labels) != len(data):
        raise BoolsensError(f"CIFAR-10: {where}/{name} holds data {data.dtype} {data.shape} and {len(labels)} labels; "
                            "expected uint8 (N, 3072) and N labels")
    return data.reshape(-1, 3, 32, 32), labels


def cifar10(data_dir, split: str = "train", *, verify: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10 (Krizhevsky, 2009), the "python version": ``(x (N, 3, 32, 32) float32 in [−1, 1],
    y (N,) int64)``, N = 50,000 for ``split="train"`` (``data_batch_1`` … ``5`` in order) and
    10,000 for ``"test"`` (``test_batch``).

    Reads ``<data_dir>/cifar-10-batches-py/`` (each batch a pickled dict, ``b"data"`` uint8
    (N, 3072) channel-major rows, ``b"labels"``), else the members of the same names inside
    ``<data_dir>/cifar-10-python.tar.gz``; with ``verify`` each file read is MD5-checked against
    :data:`MD5` first. Cost: one pass over 180 MB (train) and the hash of what is read; the train
    split takes about 600 MB as float32. Source: :data:`URLS` ``["cifar10"]``.
    """
    split = _split(split, "CIFAR-10")
    root = _root(data_dir, "CIFAR-10")
    names = [f"data_batch_{i}" for i in range(1, 6)] if split == "train" else ["test_batch"]
    folder, archive = root / "cifar-10-batches-py", root / "cifar-10-python.tar.gz"
    parts = []
    if all((folder / n).is_file() for n in names):
        for n in names:
            _verify(folder / n, "CIFAR-10", verify)
            parts.append(_cifar_batch((folder / n).read_bytes(), n, str(folder)))
    elif archive.is_file():
        _verify(archive, "CIFAR-10", verify)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                members = {Path(m.name).name: m for m in tar.getmembers()
                           if m.isfile() and Path(m.name).parent.name == "cifar-10-batches-py"}
                absent = [n for n in names if n not in members]
                if absent:
                    raise BoolsensError(f"CIFAR-10: {archive} has no cifar-10-batches-py/{absent[0]}; "
                                        f"expected the official archive from {URLS['cifar10']}")
                for n in names:
                    parts.append(_cifar_batch(tar.extractfile(members[n]).read(), n, f"{archive}:cifar-10-batches-py"))
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BoolsensError(f"CIFAR-10: {archive} is not a readable .tar.gz ({type(exc).__name__}: {exc})") from exc
    else:
        raise _missing("CIFAR-10", [folder, root], [f"cifar-10-batches-py/{{{', '.join(names)}}}",
                                                   "or cifar-10-python.tar.gz"])
    x = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    return _pixels(x), y


def cifar10c(data_dir, corruption: str, severity: int, *, verify: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10-C (Hendrycks & Dietterich, ICLR 2019): the 10,000 CIFAR-10 test images under
    ``corruption`` (one of :data:`CIFAR10C_CORRUPTIONS`) at ``severity`` 1 … 5, as
    ``(x (10000, 3, 32, 32) float32 in [−1, 1], y (10000,) int64)``; row i is test image i.

    Reads ``<data_dir>/CIFAR-10-C/<corruption>.npy`` (uint8 (50000, 32, 32, 3): severities 1 … 5
    in blocks of 10,000) and ``labels.npy``; if that folder is absent, the same members inside
    ``<data_dir>/CIFAR-10-C.tar`` (its MD5 checked first with ``verify``; the ``.npy`` files have
    no published checksums and are checked by shape). Cost: a 150 MB read per corruption (the
    file is memory-mapped, only the slice is converted); hashing the 2.9 GB tar takes seconds,
    once per process. Source: :data:`URLS` ``["cifar10c"]``.
    """
    if corruption not in CIFAR10C_CORRUPTIONS:
        raise BoolsensError(f"CIFAR-10-C: corruption={corruption!r} must be one of {list(CIFAR10C_CORRUPTIONS)}")
    if isinstance(severity, bool) or not isinstance(severity, (int, np.integer)) or not 1 <= severity <= 5:
        raise BoolsensError(f"CIFAR-10-C: severity={severity!r} must be an integer in [1, 5]")
    root = _root(data_dir, "CIFAR-10-C")
    folder, archive = root / "CIFAR-10-C", root / "CIFAR-10-C.tar"
    names = [f"{corruption}.npy", "labels.npy"]
    if all((folder / n).is_file() for n in names):
        where = str(folder)
        try:
            images = np.load(folder / names[0], mmap_mode="r")
            labels = np.load(folder / names[1])
        except (ValueError, OSError) as exc:
            raise BoolsensError(f"CIFAR-10-C: {folder} holds an unreadable .npy ({exc})") from exc
    elif archive.is_file():
        _verify(archive, "CIFAR-10-C", verify)
        where = f"{archive}:CIFAR-10-C"
        try:
            with tarfile.open(archive, "r:*") as tar:
                arrays = []
                for n in names:
                    try:
                        member = tar.getmember(f"CIFAR-10-C/{n}")
                    except KeyError:
                        raise BoolsensError(f"CIFAR-10-C: {archive} has no CIFAR-10-C/{n}; expected the official "
                                            f"archive from {URLS['cifar10c']}") from None
                    arrays.append(np.load(io.BytesIO(tar.extractfile(member).read())))
                images, labels = arrays
        except (tarfile.TarError, OSError, ValueError) as exc:
            raise BoolsensError(f"CIFAR-10-C: {archive} is not a readable tar ({type(exc).__name__}: {exc})") from exc
    else:
        raise _missing("CIFAR-10-C", [folder], names + ["(or CIFAR-10-C.tar in " + str(root) + ")"])
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[1:] != (32, 32, 3) or images.shape[0] % 5 \
            or labels.shape != (images.shape[0],):
        raise BoolsensError(f"CIFAR-10-C: {where}/{names[0]} is {images.dtype} {images.shape} with labels "
                            f"{labels.shape}; expected uint8 (5·n, 32, 32, 3) and labels (5·n,) (n = 10,000)")
    n = images.shape[0] // 5
    rows = slice((severity - 1) * n, severity * n)
    x = np.ascontiguousarray(np.asarray(images[rows]).transpose(0, 3, 1, 2))  # (n, 3, 32, 32)
    return _pixels(x), np.asarray(labels[rows], dtype=np.int64)


# ------------------------------------------------------------------ Fashion-MNIST (IDX)


def _idx(path: Path, dims: int) -> np.ndarray:
    """An IDX file (gzip when it ends in .gz) of unsigned bytes with ``dims`` dimensions."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as exc:
        raise BoolsensError(f"Fashion-MNIST: {path} could not be read ({type(exc).__name__}: {exc})") from exc
    magic = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else -1
    if magic != 0x0800 + dims:  # 0x08: unsigned byte; then the number of dimensions
        raise BoolsensError(f"Fashion-MNIST: {path} has magic number {magic:#010x}, not {0x0800 + dims:#010x} "
                            f"(an IDX file of unsigned bytes with {dims} dimension(s)); the file is malformed")
    header = 4 + 4 * dims
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    if len(raw) != header + int(np.prod(shape)):
        raise BoolsensError(f"Fashion-MNIST: {path} declares shape {shape} ({int(np.prod(shape))} bytes) but holds "
                            f"{len(raw) - header} bytes after its header; the file is truncated or malformed")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def fashion_mnist(data_dir, split: str = "train", *, verify: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST (Xiao et al., 2017): ``(x (N, 1, 28, 28) float32 in [−1, 1], y (N,) int64)``,
    N = 60,000 (``"train"``: ``train-*``) or 10,000 (``"test"``: ``t10k-*``).

    Reads the gzip IDX files ``{train,t10k}-images-idx3-ubyte.gz`` and ``…-labels-idx1-ubyte.gz``
    (or their gunzipped copies) from ``<data_dir>/FashionMNIST/raw/``, ``<data_dir>/fashion-mnist/``
    or ``<data_dir>/``; the magic numbers (2051 images, 2049 labels), dimensions and sizes are
    checked, and with ``verify`` the ``.gz`` files' MD5s. Cost: 30 MB read and unzipped (train).
    Source: :data:`URLS` ``["fashion_mnist"]``.
    """
    split = _split(split, "Fashion-MNIST")
    root = _root(data_dir, "Fashion-MNIST")
    stem = "train" if split == "train" else "t10k"
    names = [f"{stem}-images-idx3-ubyte.gz", f"{stem}-labels-idx1-ubyte.gz"]
    candidates = [root / "FashionMNIST" / "raw", root / "fashion-mnist", root]
    folder = _first_folder(candidates, names)
    if folder is not None:
        paths = [folder / n for n in names]
        for p in paths:
            _verify(p, "Fashion-MNIST", verify)
    else:
        folder = _first_folder(candidates, [n[:-3] for n in names])
        if folder is None:
            raise _missing("Fashion-MNIST", candidates, names)
        paths = [folder / n[:-3] for n in names]  # gunzipped: no published checksum
    images, labels = _idx(paths[0], 3), _idx(paths[1], 1)
    if images.shape[0] != labels.shape[0] or images.shape[1:] != (28, 28):
        raise BoolsensError(f"Fashion-MNIST: {paths[0]} holds images {images.shape} and {paths[1]} labels "
                            f"{labels.shape}; expected (N, 28, 28) and (N,)")
    return _pixels(images[:, None]), labels.astype(np.int64)


# ------------------------------------------------------------------ SVHN (.mat)


def svhn(data_dir, split: str = "train", *, verify: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """SVHN, cropped digits (Netzer et al., 2011): ``(x (N, 3, 32, 32) float32 in [−1, 1], y (N,)
    int64 in 0 … 9)``, N = 73,257 (``"train"``) or 26,032 (``"test"``); the files' label 10 (the
    digit 0) becomes 0, as torchvision does.

    Reads ``{train,test}_32x32.mat`` (MATLAB v5: ``X`` uint8 (32, 32, 3, N), ``y`` (N, 1) in
    1 … 10) from ``<data_dir>/SVHN/``, ``<data_dir>/svhn/`` or ``<data_dir>/`` with
    ``scipy.io.loadmat``; with ``verify`` the file's MD5 first. Cost: a 180 MB (train) read, about
    900 MB as float32. Source: :data:`URLS` ``["svhn"]``.
    """
    from scipy.io import loadmat

    split = _split(split, "SVHN")
    root = _root(data_dir, "SVHN")
    name = f"{split}_32x32.mat"
    candidates = [root / "SVHN", root / "svhn", root]
    folder = _first_folder(candidates, [name])
    if folder is None:
        raise _missing("SVHN", candidates, [name])
    path = folder / name
    _verify(path, "SVHN", verify)
    try:
        mat = loadmat(path)
        X, y = np.asarray(mat["X"]), np.asarray(mat["y"])
    except Exception as exc:
        raise BoolsensError(f"SVHN: {path} is not an SVHN .mat file with X and y ({type(exc).__name__}: {exc})") from exc
    if X.dtype != np.uint8 or X.ndim != 4 or X.shape[:3] != (32, 32, 3) or y.size != X.shape[3]:
        raise BoolsensError(f"SVHN: {path} holds X {X.dtype} {X.shape} and y {y.shape}; expected uint8 (32, 32, 3, N) "
                            "and (N, 1)")
    y = y.reshape(-1).astype(np.int64)
    if y.min(initial=1) < 1 or y.max(initial=1) > 10:
        raise BoolsensError(f"SVHN: {path} has labels outside 1 … 10 (found {int(y.min())} … {int(y.max())})")
    x = np.ascontiguousarray(X.transpose(3, 2, 0, 1))  # (N, 3, 32, 32)
    return _pixels(x), np.where(y == 10, 0, y)


# ------------------------------------------------------------------ GLUE (MRPC, QQP)


def glue(data_dir, task: str, split: str = "train") -> tuple[list[str], list[str], np.ndarray]:
    """A GLUE sentence-pair task, ``task`` ``"mrpc"`` or ``"qqp"``: ``(sentences1, sentences2,
    labels (N,) int64 in {0, 1})`` of ``split`` ``"train"`` or ``"dev"`` (the test files carry no
    labels), in file order.

    Reads ``<data_dir>/MRPC/{train,dev}.tsv`` (columns ``Quality``, ``#1 ID``, ``#2 ID``,
    ``#1 String``, ``#2 String``; label = Quality, 1 = paraphrase) or ``<data_dir>/QQP/…``
    (``id``, ``qid1``, ``qid2``, ``question1``, ``question2``, ``is_duplicate``), also under
    ``<data_dir>/glue_data/``, as tab-separated text without quoting (GLUE's format). The header
    is checked; a row with the wrong number of fields or a label other than 0/1 (QQP's train file
    has a few broken lines) is skipped. GLUE publishes no checksums for these files. Cost: one
    pass over the file (QQP train: 40 MB, 364k rows). Source: :data:`URLS` ``["mrpc"]``, ``["qqp"]``.
    """
    if task not in GLUE_TASKS:
        raise BoolsensError(f"GLUE: task={task!r} must be one of {sorted(GLUE_TASKS)}")
    folder_name, (c1, c2, cl) = GLUE_TASKS[task]
    split = _split(split, folder_name, ("train", "dev"))
    root = _root(data_dir, folder_name)
    candidates = [root / folder_name, root / "glue_data" / folder_name]
    folder = _first_folder(candidates, [f"{split}.tsv"])
    if folder is None:
        raise _missing(folder_name, candidates, [f"{split}.tsv"])
    path = folder / f"{split}.tsv"
    s1, s2, labels = [], [], []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None or not {c1, c2, cl} <= set(header):
            raise BoolsensError(f"{folder_name}: {path} has header {header!r}; expected the GLUE columns "
                                f"{c1!r}, {c2!r}, {cl!r}")
        i1, i2, il = header.index(c1), header.index(c2), header.index(cl)
        for row in reader:
            if len(row) != len(header) or row[il] not in ("0", "1"):
                continue
            s1.append(row[i1])
            s2.append(row[i2])
            labels.append(int(row[il]))
    if not labels:
        raise BoolsensError(f"{folder_name}: {path} has no labelled rows")
    return s1, s2, np.asarray(labels, dtype=np.int64)


_TOKEN = re.compile(r"[a-z0-9]+|[^a-z0-9\s]")


def tokenize(text: str) -> list[str]:
    """Lower-case ``text`` and split it into runs of ASCII letters and digits and single other
    characters (punctuation), dropping whitespace: deterministic, no model, no download.

    >>> tokenize("Don't panic, it's 42!")
    ['don', "'", 't', 'panic', ',', 'it', "'", 's', '42', '!']
    """
    return _TOKEN.findall(text.lower())


def build_vocab(texts, size: int) -> dict[str, int]:
    """The ``size`` ids of a word vocabulary built on ``texts`` (the training sentences): ids 0 and
    1 are :data:`SPECIAL_TOKENS` (unknown word, separator), then the ``size − 2`` most frequent
    :func:`tokenize` words, ties in alphabetical order. Cost: one pass over the texts.

    >>> build_vocab(["a b b", "c b a"], 4)
    {'[UNK]': 0, '[SEP]': 1, 'b': 2, 'a': 3}
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < len(SPECIAL_TOKENS) + 1:
        raise BoolsensError(f"size={size!r} must be an integer >= {len(SPECIAL_TOKENS) + 1}")
    counts = collections.Counter(w for t in texts for w in tokenize(t))
    words = sorted(counts, key=lambda w: (-counts[w], w))[: size - len(SPECIAL_TOKENS)]
    return {w: i for i, w in enumerate(SPECIAL_TOKENS + tuple(words))}


def encode_pairs(sentences1, sentences2, vocab: dict[str, int], max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Sentence pairs as the text models' input: ``(ids (N, max_len) int64, lengths (N,) int64)``.

    Row i is :func:`tokenize` (sentence 1) + ``[SEP]`` + tokenize (sentence 2), each word's id in
    ``vocab`` (``[UNK]`` when absent), cut to ``max_len`` tokens and right-padded with the padding
    id ``len(vocab)`` (``empirical.models.padded_text`` with ``vocab=len(vocab)``).

    >>> v = build_vocab(["a b", "b c"], 5)
    >>> ids, lengths = encode_pairs(["a b"], ["c d"], v, 6)
    >>> ids.tolist(), lengths.tolist()
    ([[3, 2, 1, 4, 0, 5]], [5])
    """
    if isinstance(max_len, bool) or not isinstance(max_len, int) or max_len < 1:
        raise BoolsensError(f"max_len={max_len!r} must be a positive integer")
    if len(sentences1) != len(sentences2):
        raise BoolsensError(f"{len(sentences1)} first sentences but {len(sentences2)} second ones")
    unk, sep, pad = vocab[SPECIAL_TOKENS[0]], vocab[SPECIAL_TOKENS[1]], len(vocab)
    ids = np.full((len(sentences1), max_len), pad, dtype=np.int64)
    lengths = np.empty(len(sentences1), dtype=np.int64)
    for i, (a, b) in enumerate(zip(sentences1, sentences2)):
        row = [vocab.get(w, unk) for w in tokenize(a)] + [sep] + [vocab.get(w, unk) for w in tokenize(b)]
        row = row[:max_len]
        ids[i, : len(row)] = row
        lengths[i] = len(row)
    return ids, lengths


# ------------------------------------------------------------------ presence (plan-time checks)


def available(name: str, data_dir) -> None:
    """Check, without reading or hashing, that the files of dataset ``name`` (``"cifar10"``,
    ``"cifar10c"``, ``"fashion_mnist"``, ``"svhn"``, ``"mrpc"``, ``"qqp"``) are under ``data_dir``;
    raise the readers' missing-files error otherwise. Cost: a few ``stat`` calls.
    """
    if name == "cifar10":
        root = _root(data_dir, "CIFAR-10")
        names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
        if _first_folder([root / "cifar-10-batches-py"], names) is None and not (root / "cifar-10-python.tar.gz").is_file():
            raise _missing("CIFAR-10", [root / "cifar-10-batches-py", root],
                           ["cifar-10-batches-py/{data_batch_1 … 5, test_batch}", "or cifar-10-python.tar.gz"])
    elif name == "cifar10c":
        root = _root(data_dir, "CIFAR-10-C")
        if not (root / "CIFAR-10-C" / "labels.npy").is_file() and not (root / "CIFAR-10-C.tar").is_file():
            raise _missing("CIFAR-10-C", [root / "CIFAR-10-C"], ["<corruption>.npy", "labels.npy",
                                                                 "(or CIFAR-10-C.tar in " + str(root) + ")"])
    elif name == "fashion_mnist":
        root = _root(data_dir, "Fashion-MNIST")
        candidates = [root / "FashionMNIST" / "raw", root / "fashion-mnist", root]
        names = [f"{s}-{k}" for s in ("train", "t10k") for k in ("images-idx3-ubyte", "labels-idx1-ubyte")]
        if _first_folder(candidates, [n + ".gz" for n in names]) is None and _first_folder(candidates, names) is None:
            raise _missing("Fashion-MNIST", candidates, [n + ".gz" for n in names])
    elif name == "svhn":
        root = _root(data_dir, "SVHN")
        candidates = [root / "SVHN", root / "svhn", root]
        if _first_folder(candidates, ["train_32x32.mat", "test_32x32.mat"]) is None:
            raise _missing("SVHN", candidates, ["train_32x32.mat", "test_32x32.mat"])
    elif name in GLUE_TASKS:
        folder_name = GLUE_TASKS[name][0]
        root = _root(data_dir, folder_name)
        candidates = [root / folder_name, root / "glue_data" / folder_name]
        if _first_folder(candidates, ["train.tsv", "dev.tsv"]) is None:
            raise _missing(folder_name, candidates, ["train.tsv", "dev.tsv"])
    else:
        raise BoolsensError(f"dataset={name!r} must be one of {sorted(URLS)}")
