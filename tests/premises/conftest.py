"""Fixtures of the registry import tests (test_import.py, test_import_files.py)."""

from types import SimpleNamespace

import pytest

from accounts.roles import Role
from tests.factories import (
    BusinessTypeFactory,
    GridFactory,
    TagFactory,
    UserFactory,
    VillageFactory,
)


@pytest.fixture
def import_folder(settings, tmp_path):
    """The private folder uploads are kept in, under this test's own directory."""
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR / "imports"


@pytest.fixture
def import_town():
    """A village with two grids, the business types and tags the lists name."""
    village = VillageFactory(name="东岭村")
    return SimpleNamespace(
        village=village,
        grid=GridFactory(village=village, name="第一网格", code="DL-1"),
        other_grid=GridFactory(village=village, name="第二网格", code="DL-2"),
        food=BusinessTypeFactory(code="FOOD", name_zh="小餐饮", base_risk="yellow"),
        shop=BusinessTypeFactory(code="SHOP", name_zh="小商店/小商场(市场)", base_risk="blue"),
        lpg=TagFactory(code="USES_LPG", name_zh="使用瓶装液化气", raises_risk=True),
        sanheyi=TagFactory(
            code="SANHEYI", name_zh="三合一/多合一(住宿与生产、储存、经营合用)", raises_risk=True
        ),
        gas=TagFactory(code="USES_PIPED_GAS", name_zh="使用管道燃气", raises_risk=False),
    )


@pytest.fixture
def import_client(client, import_folder):
    """A registry admin's client, reading the pages in English."""
    admin = UserFactory(role=Role.REGISTRY_ADMIN)
    client.force_login(admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # messages are compared in English
    client.user = admin
    return client
