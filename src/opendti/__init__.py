"""OpenDTI: assess, rank and publish the digital transformation level of government agencies."""

__version__ = "0.1.0"
