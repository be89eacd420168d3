"""Data: the Boolean targets and training sets (:mod:`.tasks`), the real-valued data sets
(:mod:`.real`: synthetic tokens, 8×8 digits, modular addition, noisy sparse parity, redundant
polarity sequences) and image corruptions (:mod:`.corruptions`). Built on the harness base only."""
