"""promptui: a web UI for the MLflow Prompt Registry. Run with `streamlit run app.py`."""

from promptui.ui.layout import navigation

navigation().run()
