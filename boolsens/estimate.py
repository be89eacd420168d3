"""Monte-Carlo estimators (NOT BUILT YET: in progress in this session)."""
