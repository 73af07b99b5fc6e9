"""promptui: a web UI for the MLflow Prompt Registry. Run with `streamlit run app.py`."""

from promptui.startup import import_app_modules

import_app_modules()  # first: sessions that start together must not import in parallel

from promptui.ui.layout import navigation

navigation().run()
