"""The widget code promptui fetches ahead: every module it names exists in the installed
Streamlit's build, found by the name Streamlit's build gives it."""

from __future__ import annotations

from pathlib import Path

from promptui.ui.widget_code import WIDGET_MODULES, module_files


def test_every_named_widget_module_is_in_the_installed_streamlit_build() -> None:
    files = module_files()
    assert [f.split(".", 1)[0] for f in files] == list(WIDGET_MODULES)
    assert all(f.endswith(".js") for f in files)


def test_module_names_match_whole_names_only(tmp_path: Path) -> None:
    for name in (
        "Table.AbC_1-x.js",  # the one meant
        "TableChart.esm.CHf.js",  # another module whose name starts alike
        "Table.css",
        "Selectbox.7rs.js",
        "xSelectbox.1.js",
        "Html.Cz.js.map",
    ):
        (tmp_path / name).write_text("")
    files = module_files(tmp_path)
    assert files == ("Selectbox.7rs.js", "Table.AbC_1-x.js")
