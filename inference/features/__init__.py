"""The feature store's client side (issue 17): what a document's reading and its uploader's
history look like as features (`reading.py`, `history.py`), the Feast configuration built from
the settings (`config.py`), the online/offline client (`client.py`), the document calibrator
that uses the features (`calibrator.py`) and the cascade's one call into all of it
(`routing.py`). The Feast definitions themselves are in `feature_repo/`; serving and training
use this package, it uses neither.
"""
