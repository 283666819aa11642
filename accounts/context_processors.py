from accounts.roles import Role


def roles(request) -> dict:
    """Expose the user's roles to templates so the navigation shows what each role needs."""
    user = getattr(request, "user", None)
    codes = user.role_codes if user is not None and user.is_authenticated else frozenset()
    return {"user_roles": codes, "Role": Role}
