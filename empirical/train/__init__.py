"""Training: the resumable loop (:mod:`.loop`), K seeds at once (:mod:`.batched`), the one recipe
of the Boolean-input experiments and the one optimiser builder (:mod:`.recipe`), the training
regularisers (:mod:`.regularizers`), several trainings in one unit (:mod:`.staged`) and the
training rules several experiments share (:mod:`.hahn_rofin`, :mod:`.algorithmic`). Built on data,
models and measure (a recipe logs measurements while it trains)."""
