"""Reusable Streamlit widgets and page plumbing."""
