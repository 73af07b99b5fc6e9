"""promptui: a web UI for the MLflow Prompt Registry."""

__version__ = "0.1.0"
