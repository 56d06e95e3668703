"""publisher: write, translate, schedule and publish social posts in sq, en and sr."""

__version__ = "0.1.0"
