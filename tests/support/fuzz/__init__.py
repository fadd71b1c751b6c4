"""Fuzzing: seed images, byte mutations and the probe target shared by hypothesis and atheris."""
