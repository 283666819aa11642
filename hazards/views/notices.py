from django.shortcuts import render

from hazards.access import get_notice_for
from hazards.ledger import operator_phone


def notice_detail(request, pk: int):
    """整改通知书, printable on A4."""
    notice = get_notice_for(request.user, pk)
    hazards = notice.hazards.select_related("checklist_item").order_by("pk")
    inspectors = {notice.issued_by}
    if notice.inspection_id:
        inspectors.add(notice.inspection.inspector)
    return render(
        request,
        "hazards/notice_detail.html",
        {
            "notice": notice,
            "premises": notice.premises,
            "hazards": hazards,
            "inspectors": sorted(inspectors, key=str),
            "operator_phone": operator_phone(request.user, notice.premises),
        },
    )
