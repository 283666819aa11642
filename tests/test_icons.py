"""Every Bootstrap icon a template uses is in the subset font (scripts/subset_icons.py)."""

from scripts.subset_icons import SOURCE, TARGET, used_icons


def defined(css_file) -> set[str]:
    css = css_file.read_text(encoding="utf-8")
    return {name for name in used_icons() if f".bi-{name}::before" in css}


def test_every_used_icon_is_in_the_subset():
    missing = defined(SOURCE / "bootstrap-icons.min.css") - defined(
        TARGET / "bootstrap-icons.min.css"
    )
    assert not missing, f"run scripts/subset_icons.py: {sorted(missing)} are not in the subset"
