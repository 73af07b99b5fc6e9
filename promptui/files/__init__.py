"""Prompts as files: export, import, promote between registries, and the deployment check."""
