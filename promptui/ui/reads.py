"""Reading a prompt for a page: the registry's state now, or the last good read, labelled."""

from __future__ import annotations

import streamlit as st

from promptui.registry.errors import PromptUIError, RegistryUnavailableError
from promptui.registry.models import PromptDetail
from promptui.ui import state
from promptui.ui.feedback import md_code, show_error


def prompt_or_stop(name: str, *, retry_key: str) -> PromptDetail:
    """The prompt as the registry holds it now (read once per page load).

    When the registry does not answer, the error is shown with a Retry button and, if this
    process read the prompt before, that read is returned under a warning with its time and
    age; otherwise (and on any other error) the page stops here.
    """
    try:
        return state.get_prompt(name)
    except RegistryUnavailableError as e:
        show_error(e, retry_key=retry_key)
        last = state.last_good_prompt(name)
        if last is None:
            st.stop()
        when = last.at.strftime("%Y-%m-%d %H:%M:%S UTC")
        st.warning(
            f"Showing {md_code(name)} as it was read at {when} ({state.age_text(last.age_s)}), "
            "not as it is now: the registry may have changed since.",
            icon="🕰️",
        )
        return last.value
    except PromptUIError as e:
        show_error(e, retry_key=retry_key)
        st.stop()
