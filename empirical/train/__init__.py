"""Training: the resumable loop (:mod:`.loop`), K seeds at once (:mod:`.batched`), the training
regularisers (:mod:`.regularizers`) and the recipes several experiments share (:mod:`.boolean_fit`,
:mod:`.hahn_rofin`, :mod:`.algorithmic`). Built on data, models and measure (a recipe logs
measurements while it trains)."""
