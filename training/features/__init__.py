"""The feature store's training side (issue 17): labelled pages read into feature examples,
their events replayed through the store for point-in-time features, the feature calibrator
fitted and measured against the isotonic one, the online read benchmark, and the `yogi
features` commands."""
