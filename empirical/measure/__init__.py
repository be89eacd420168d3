"""Measurements of models: exact function measures, loss sharpness, layer-norm blowup and norms of
Boolean networks (:mod:`.metrics`); token, weight-noise and Gaussian-noise measures of real-valued
models (:mod:`.sensitivity_real`); token replacement (:mod:`.token_replacement`), pixel noise
(:mod:`.pixel_noise`), variable-length sequences (:mod:`.variable_length`); Hahn & Rofin's and
Vasudeva et al.'s end-of-training and progress measures (:mod:`.hahn_rofin`, :mod:`.operand`).
Built on data and models; measures never train."""
