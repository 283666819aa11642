"""A hazard's status, severity and category labels, read from a dict built once per language."""

from django.utils import translation

from accounts.base import choice_labels
from hazards.models import Hazard


def test_labels_follow_the_active_language():
    hazard = Hazard(status="rectifying", severity="major", category="GAS")
    with translation.override("zh-hans"):
        assert (hazard.get_status_display(), hazard.get_severity_display()) == ("整改中", "重大")
    with translation.override("en"):
        assert (hazard.get_status_display(), hazard.get_severity_display()) == (
            "Being rectified",
            "Major",
        )
        assert hazard.get_category_display() == "Gas"


def test_a_language_asked_for_is_built_in_that_language_whatever_is_active():
    status = Hazard._meta.get_field("status")
    with translation.override("en"):
        assert choice_labels(status, "zh-hans")["closed"] == "已销号"
        assert choice_labels(status)["closed"] == "Closed"


def test_a_value_outside_the_choices_shows_as_itself():
    assert Hazard(status="archived").get_status_display() == "archived"
