"""The sign-in lockout as an authentication backend (django-axes), first in the list."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a sign-in for an account and client address that are locked out.

    Axes can only count attempts that come with a request; a check made without one (the test
    client's login(), a shell) has no client address to lock, so it is left to the next backend
    instead of failing."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
