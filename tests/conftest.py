import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads of every test land in its own temporary folder, never in the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
