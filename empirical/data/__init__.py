"""Data: the Boolean targets and training sets (:mod:`.tasks`), the real-valued data sets
(:mod:`.real`: synthetic tokens, 8×8 digits, modular addition, noisy sparse parity, redundant
polarity sequences), image corruptions (:mod:`.corruptions`)
and readers of the papers' real datasets in their official file formats (:mod:`.datasets`: CIFAR-10,
CIFAR-10-C, Fashion-MNIST, SVHN, MRPC, QQP; numpy only, no download). Built on the harness base only."""
