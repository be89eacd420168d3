"""The real-data readers (``empirical.data.datasets``) on tiny files fabricated in each dataset's
official on-disk format: shapes, dtypes, ranges, label mapping, split selection, and the errors
for a missing folder, a checksum mismatch and a malformed file. No network."""

from __future__ import annotations

import gzip
import io
import pickle
import tarfile

import numpy as np
import pytest

from boolsens import BoolsensError
from empirical.data import datasets as ds

RNG = np.random.default_rng(0)


def _cifar_batch(n: int, first_label: int) -> bytes:
    data = RNG.integers(0, 256, size=(n, 3072), dtype=np.uint8)
    data[0] = 0
    data[1] = 255
    labels = [(first_label + i) % 10 for i in range(n)]
    return pickle.dumps({b"batch_label": b"fake", b"labels": labels, b"data": data, b"filenames": [b"x"] * n})


@pytest.fixture
def cifar_dir(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for i in range(1, 6):
        (folder / f"data_batch_{i}").write_bytes(_cifar_batch(4, i))
    (folder / "test_batch").write_bytes(_cifar_batch(3, 7))
    return tmp_path


def test_cifar10_reads_the_python_batches(cifar_dir):
    x, y = ds.cifar10(cifar_dir, "train", verify=False)
    assert x.shape == (20, 3, 32, 32) and x.dtype == np.float32 and y.dtype == np.int64
    assert float(x.min()) == -1.0 and float(x.max()) == 1.0
    assert y[:4].tolist() == [1, 2, 3, 4] and y[4:8].tolist() == [2, 3, 4, 5]    # batches in order
    raw = pickle.loads((cifar_dir / "cifar-10-batches-py" / "data_batch_1").read_bytes())[b"data"]
    assert np.allclose(x[2], 2 * raw[2].reshape(3, 32, 32).astype(float) / 255 - 1, atol=1e-6)   # channel-major
    xt, yt = ds.cifar10(cifar_dir, "test", verify=False)
    assert xt.shape == (3, 3, 32, 32) and yt.tolist() == [7, 8, 9]


def test_cifar10_checks_the_official_md5(cifar_dir):
    with pytest.raises(BoolsensError, match=r"CIFAR-10: .*data_batch_1 has MD5 .*not the official "
                                            r"c99cafc152244af753f735de768cd75f"):
        ds.cifar10(cifar_dir, "train")


def _cifar_tar(tmp_path, cifar_dir):
    archive = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(cifar_dir / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    return archive


def test_cifar10_reads_the_unextracted_archive_and_verifies_it(tmp_path, cifar_dir):
    out = tmp_path / "archive_only"
    out.mkdir()
    archive = _cifar_tar(out, cifar_dir)
    with pytest.raises(BoolsensError, match=r"cifar-10-python.tar.gz has MD5 .*c58f30108f718f92721af3b95e74349a"):
        ds.cifar10(out, "test")
    x, y = ds.cifar10(out, "test", verify=False)
    xf, yf = ds.cifar10(cifar_dir, "test", verify=False)
    assert np.array_equal(x, xf) and np.array_equal(y, yf) and archive.is_file()


def test_a_missing_folder_names_the_dataset_the_folder_and_the_source(tmp_path):
    empty = tmp_path / "nothing"
    with pytest.raises(BoolsensError, match=r"CIFAR-10: the files .*data_batch_1.* not found in "
                                            rf"{empty}.*cs.toronto.edu/~kriz/cifar-10-python.tar.gz"):
        ds.cifar10(empty, "train")
    for call, name in ((lambda: ds.cifar10c(empty, "fog", 1), "CIFAR-10-C"),
                       (lambda: ds.fashion_mnist(empty, "test"), "Fashion-MNIST"),
                       (lambda: ds.svhn(empty, "train"), "SVHN"),
                       (lambda: ds.glue(empty, "mrpc", "dev"), "MRPC"),
                       (lambda: ds.glue(empty, "qqp", "train"), "QQP")):
        with pytest.raises(BoolsensError, match=rf"^{name}: the files .* not found in {empty}.*download them from http"):
            call()
    with pytest.raises(BoolsensError, match="data_dir is empty"):
        ds.svhn("", "train")


def test_cifar10c_selects_the_severity_slice(tmp_path):
    folder = tmp_path / "CIFAR-10-C"
    folder.mkdir()
    n = 4  # the real files hold n = 10,000 test images per severity
    images = np.zeros((5 * n, 32, 32, 3), dtype=np.uint8)
    for s in range(5):
        images[s * n:(s + 1) * n] = 50 * s          # severity s+1 has pixel value 50·s
    images[0, 0, 0] = (255, 0, 255)                 # row 0, pixel (0, 0): red 255, green 0, blue 255
    labels = np.tile(np.arange(n), 5).astype(np.int64)
    np.save(folder / "fog.npy", images)
    np.save(folder / "labels.npy", labels)
    x, y = ds.cifar10c(tmp_path, "fog", 3)
    assert x.shape == (n, 3, 32, 32) and x.dtype == np.float32 and y.tolist() == list(range(n))
    assert np.allclose(x, 2 * 100 / 255 - 1)
    x1, _ = ds.cifar10c(tmp_path, "fog", 1)
    assert x1[0, :, 0, 0].tolist() == [1.0, -1.0, 1.0]                            # HWC -> CHW
    with pytest.raises(BoolsensError, match=r"severity=6 must be an integer in \[1, 5\]"):
        ds.cifar10c(tmp_path, "fog", 6)
    with pytest.raises(BoolsensError, match="corruption='rain' must be one of"):
        ds.cifar10c(tmp_path, "rain", 1)
    np.save(folder / "snow.npy", images[:, :16])
    with pytest.raises(BoolsensError, match=r"CIFAR-10-C: .*snow.npy is uint8 \(20, 16, 32, 3\)"):
        ds.cifar10c(tmp_path, "snow", 1)


def test_cifar10c_reads_the_tar_and_verifies_it(tmp_path):
    images = RNG.integers(0, 256, size=(10, 32, 32, 3), dtype=np.uint8)
    with tarfile.open(tmp_path / "CIFAR-10-C.tar", "w") as tar:
        for name, arr in (("contrast.npy", images), ("labels.npy", np.arange(10) % 2)):
            buf = io.BytesIO()
            np.save(buf, arr)
            info = tarfile.TarInfo(f"CIFAR-10-C/{name}")
            info.size = buf.tell()
            buf.seek(0)
            tar.addfile(info, buf)
    with pytest.raises(BoolsensError, match="CIFAR-10-C.tar has MD5 .*56bf5dcef84df0e2308c6dcbcbbd8499"):
        ds.cifar10c(tmp_path, "contrast", 2)
    x, y = ds.cifar10c(tmp_path, "contrast", 2, verify=False)
    expected = 2 * images[2:4].transpose(0, 3, 1, 2).astype(float) / 255 - 1
    assert x.shape == (2, 3, 32, 32) and np.allclose(x, expected, atol=1e-6) and y.tolist() == [0, 1]


def _idx_bytes(arr: np.ndarray, magic: int | None = None) -> bytes:
    head = (magic if magic is not None else 0x0800 + arr.ndim).to_bytes(4, "big")
    head += b"".join(d.to_bytes(4, "big") for d in arr.shape)
    return gzip.compress(head + arr.astype(np.uint8).tobytes())


@pytest.fixture
def fmnist_dir(tmp_path):
    folder = tmp_path / "FashionMNIST" / "raw"
    folder.mkdir(parents=True)
    for stem, n in (("train", 6), ("t10k", 2)):
        images = RNG.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        images[0, 0, 0], images[0, 0, 1] = 0, 255
        (folder / f"{stem}-images-idx3-ubyte.gz").write_bytes(_idx_bytes(images))
        (folder / f"{stem}-labels-idx1-ubyte.gz").write_bytes(_idx_bytes(np.arange(n) % 10))
    return tmp_path


def test_fashion_mnist_parses_gzip_idx(fmnist_dir):
    x, y = ds.fashion_mnist(fmnist_dir, "train", verify=False)
    assert x.shape == (6, 1, 28, 28) and x.dtype == np.float32 and y.dtype == np.int64
    assert (float(x.min()), float(x.max())) == (-1.0, 1.0) and y.tolist() == [0, 1, 2, 3, 4, 5]
    xt, yt = ds.fashion_mnist(fmnist_dir, "test", verify=False)
    assert xt.shape == (2, 1, 28, 28) and yt.tolist() == [0, 1]
    with pytest.raises(BoolsensError, match=r"train-images-idx3-ubyte.gz has MD5 .*8d4fb7e6c68d591d4c3dfef9ec88bf0d"):
        ds.fashion_mnist(fmnist_dir, "train")
    with pytest.raises(BoolsensError, match=r"split='val' must be one of \['train', 'test'\]"):
        ds.fashion_mnist(fmnist_dir, "val")


def test_fashion_mnist_refuses_a_bad_magic_number_and_a_truncated_file(fmnist_dir):
    folder = fmnist_dir / "FashionMNIST" / "raw"
    images = np.zeros((2, 28, 28), dtype=np.uint8)
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(_idx_bytes(images, magic=0x0801))
    with pytest.raises(BoolsensError, match=r"Fashion-MNIST: .*t10k-images-idx3-ubyte.gz has magic number 0x00000801, "
                                            r"not 0x00000803.*malformed"):
        ds.fashion_mnist(fmnist_dir, "test", verify=False)
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(_idx_bytes(images)[:-5])     # a cut gzip stream
    with pytest.raises(BoolsensError, match="Fashion-MNIST: .*t10k-images-idx3-ubyte.gz"):
        ds.fashion_mnist(fmnist_dir, "test", verify=False)
    raw = gzip.decompress(_idx_bytes(images))[:-10]
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(raw))             # a short payload
    with pytest.raises(BoolsensError, match=r"declares shape \(2, 28, 28\).*truncated or malformed"):
        ds.fashion_mnist(fmnist_dir, "test", verify=False)


def test_svhn_maps_label_10_to_0_and_transposes(tmp_path):
    from scipy.io import savemat

    folder = tmp_path / "SVHN"
    folder.mkdir()
    X = RNG.integers(0, 256, size=(32, 32, 3, 5), dtype=np.uint8)
    X[0, 1, 2, 3] = 255
    savemat(folder / "train_32x32.mat", {"X": X, "y": np.array([[10], [1], [2], [9], [10]], dtype=np.uint8)})
    savemat(folder / "test_32x32.mat", {"X": X[..., :2], "y": np.array([[3], [10]], dtype=np.uint8)})
    x, y = ds.svhn(tmp_path, "train", verify=False)
    assert x.shape == (5, 3, 32, 32) and x.dtype == np.float32 and y.dtype == np.int64
    assert y.tolist() == [0, 1, 2, 9, 0] and x[3, 2, 0, 1] == 1.0                  # (H, W, C, N) -> (N, C, H, W)
    assert -1.0 <= float(x.min()) and float(x.max()) <= 1.0
    xt, yt = ds.svhn(tmp_path, "test", verify=False)
    assert xt.shape == (2, 3, 32, 32) and yt.tolist() == [3, 0]
    with pytest.raises(BoolsensError, match="SVHN: .*train_32x32.mat has MD5 .*e26dedcc434d2e4c54c9b2d4a06d8373"):
        ds.svhn(tmp_path, "train")


MRPC = ("\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n"
        "1\t702876\t702977\tAmrozi accused his brother , whom he called \" the witness \" .\tReferring to him as "
        "only \" the witness \" , Amrozi accused his brother .\n"
        "0\t2108705\t2108831\tYucaipa owned Dominick 's .\tYucaipa bought Dominick 's in 1995 .\n")
QQP = ("id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n"
       "133273\t213221\t213222\tHow is the life of a math student?\tWhich level of prepration is enough?\t0\n"
       "402555\t536040\t536041\tHow do I control my horny emotions?\tHow do you control your horniness?\t1\n"
       "1\t2\tbroken line\n")


def test_glue_reads_mrpc_and_qqp_pairs(tmp_path):
    (tmp_path / "MRPC").mkdir()
    (tmp_path / "MRPC" / "dev.tsv").write_text(MRPC, encoding="utf-8")
    (tmp_path / "glue_data" / "QQP").mkdir(parents=True)
    (tmp_path / "glue_data" / "QQP" / "train.tsv").write_text(QQP, encoding="utf-8")
    s1, s2, y = ds.glue(tmp_path, "mrpc", "dev")
    assert y.dtype == np.int64 and y.tolist() == [1, 0] and s1[1] == "Yucaipa owned Dominick 's ."
    assert s2[0].startswith('Referring to him as only " the witness "')                  # quotes kept
    q1, q2, qy = ds.glue(tmp_path, "qqp", "train")
    assert qy.tolist() == [0, 1] and q2[1] == "How do you control your horniness?"      # the broken line skipped
    with pytest.raises(BoolsensError, match=r"split='test' must be one of \['train', 'dev'\]"):
        ds.glue(tmp_path, "mrpc", "test")
    (tmp_path / "MRPC" / "train.tsv").write_text("a\tb\n1\t2\n", encoding="utf-8")
    with pytest.raises(BoolsensError, match="MRPC: .*train.tsv has header .*expected the GLUE columns"):
        ds.glue(tmp_path, "mrpc", "train")


def test_pairs_become_padded_ids_with_a_train_vocabulary():
    vocab = ds.build_vocab(["The cat sat.", "the dog"], 6)
    assert list(vocab) == ["[UNK]", "[SEP]", "the", ".", "cat", "dog"]
    ids, lengths = ds.encode_pairs(["The cat"], ["a dog sat ."], vocab, 5)
    assert ids.dtype == np.int64 and ids.tolist() == [[2, 4, 1, 0, 5]] and lengths.tolist() == [5]   # cut at 5
    ids, lengths = ds.encode_pairs(["cat"], ["dog"], vocab, 5)
    assert ids.tolist() == [[4, 1, 5, 6, 6]] and lengths.tolist() == [3]                # pad id = len(vocab)


def test_available_checks_presence_only(tmp_path, cifar_dir, fmnist_dir):
    ds.available("cifar10", cifar_dir)
    ds.available("fashion_mnist", fmnist_dir)
    with pytest.raises(BoolsensError, match=f"SVHN: the files train_32x32.mat, test_32x32.mat were not found in {tmp_path}"):
        ds.available("svhn", tmp_path)
    with pytest.raises(BoolsensError, match="dataset='imagenet' must be one of"):
        ds.available("imagenet", tmp_path)


# ------------------------------------------------------------------ the gpu presets' data path


def test_the_vision_gpu_preset_reads_cifar10_from_data_dir(cifar_dir, monkeypatch):
    pytest.importorskip("torch")
    from empirical.experiments import vision_sensitivity as vs
    from empirical.harness import registry
    from empirical.harness.plan import apply_overrides

    gpu = registry.get("vision-sensitivity").config("gpu")
    assert (gpu.dataset, registry.get("vision-sensitivity").config("cpu").dataset) == ("cifar10", "digits")
    with pytest.raises(BoolsensError, match="CIFAR-10: data_dir is empty"):
        vs.units(gpu)                                                    # at plan time, before any unit
    cfg = apply_overrides(gpu, [f"data_dir={cifar_dir}", "n_train=6"])
    with pytest.raises(BoolsensError, match=rf"CIFAR-10-C: the files .* not found in {cifar_dir}"):
        vs.units(cfg)
    (cifar_dir / "CIFAR-10-C").mkdir()
    np.save(cifar_dir / "CIFAR-10-C" / "labels.npy", np.zeros(15, dtype=np.int64))
    assert len(vs.units(cfg)) == len(gpu.seeds) * len(gpu.variants)
    monkeypatch.setattr(ds, "_verify", lambda path, dataset, verify: None)  # fabricated, not the official batches
    xtr, ytr, xte, yte = vs._data(cfg, 0)
    assert xtr.shape == (6, 3, 32, 32) and xte.shape == (3, 3, 32, 32) and str(ytr.dtype) == "torch.int64"
    model_cfg = cfg.model.model_config(xtr.shape[-1], xtr.shape[1])
    assert (model_cfg.image, model_cfg.in_channels, model_cfg.patch) == (32, 3, 4)
    from empirical.models.vision import build

    for arch in ("vit", "cnn", "mlp", "convmixer"):
        assert build(arch, model_cfg)(xtr).shape == (6, 10)


def test_the_sequence_gpu_preset_reads_mrpc_from_data_dir(tmp_path):
    pytest.importorskip("torch")
    from empirical.experiments import sequence_sensitivity as ss
    from empirical.harness import registry
    from empirical.harness.plan import apply_overrides

    gpu = registry.get("sequence-sensitivity").config("gpu")
    assert gpu.dataset == "mrpc" and registry.get("sequence-sensitivity").config("smoke").dataset == "redundant_polarity"
    with pytest.raises(BoolsensError, match=rf"MRPC: the files train.tsv, dev.tsv were not found in {tmp_path}"):
        ss.units(apply_overrides(gpu, [f"data_dir={tmp_path}"]))
    (tmp_path / "MRPC").mkdir()
    for split in ("train", "dev"):
        (tmp_path / "MRPC" / f"{split}.tsv").write_text(MRPC, encoding="utf-8")
    cfg = apply_overrides(gpu, [f"data_dir={tmp_path}", "n_train=2", "n_test=1", "vocab=8", "L_max=20"])
    assert len(ss.units(cfg)) == 2 * len(gpu.seeds)
    ids, lengths, y = ss._data(cfg, 0)
    assert ids.shape == (3, 20) and str(ids.dtype) == "torch.int64" and str(y.dtype) == "torch.int64"
    assert sorted(y[:2].tolist()) == [0, 1] and y[2] == 1                # the train pairs, then the first dev pair
    assert lengths.tolist()[2] == 20 and int(ids[2].max()) < 8          # the dev pair is cut at L_max: no padding
    short = int(lengths.min())
    assert short == 6 + 1 + 8 and int(ids.max()) == 8                            # padding id = vocab
    with pytest.raises(BoolsensError, match="n_train=5, n_test=1 must be at most the 2 train and 2 dev pairs"):
        ss._data(apply_overrides(cfg, ["n_train=5"]), 0)
