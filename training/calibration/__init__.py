"""Fitting the tiers' confidence calibrators (`yogi calibrate`) and measuring the cascade they
drive (`yogi bench cascade`); inference/calibration.py only applies what is fitted here."""
