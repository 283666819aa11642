"""The registry pages for registry admins (DESIGN.md §5): list, premises, import and export,
QR labels. Every view starts from Premises.objects.visible_to(user) through get_premises_for."""
