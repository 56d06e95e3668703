"""Reusable widgets: the freeze banner, translation badges, the text counter, the heat map."""
