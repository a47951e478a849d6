from django.core.checks import Warning, register

MOVED = ["CLINIC_OPENING_HOURS", "CLINIC_HOLIDAYS"]


@register()
def opening_hours_live_in_the_admin(app_configs, **kwargs):
    """The opening hours and closed days moved from the environment into the clinic's record in
    the admin (migration treatments 0008 copied them there once). A setting left in the
    environment is no longer read: say so rather than let staff wonder why it does nothing."""
    import os

    return [
        Warning(
            f"{name} is set in the environment but is no longer read.",
            hint="Opening hours and closed days are kept in the admin, under Clinic. Remove the variable.",
            id="appointments.W001",
        )
        for name in MOVED
        if os.environ.get(name)
    ]
