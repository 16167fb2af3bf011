"""Staff roles as Django groups: platform operations and merchant staff."""


def ensure_role_groups_after_migrate(**kwargs):
    """post_migrate receiver: creates the role groups and their permissions."""
