"""The registry pages for registry admins (docs/scope.md): list, premises, import and export,
QR labels. Every view starts from Premises.objects.visible_to(user) through get_premises_for."""
