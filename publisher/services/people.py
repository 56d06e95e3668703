"""Who is acting, and which roles the workspace gives them.

The identity is the operating system's user of the process (on the team server, the
person's SSH login); never an environment variable or a flag, which anyone can set.
Services take the identity as a parameter, so tests pass one; only front ends call
:func:`login_name`.
"""

from __future__ import annotations

import os
import pwd

from publisher.domain.people import People, Roles


def login_name() -> str:
    """Who runs the command: the operating system's login name (not the environment's
    LOGNAME or USER, which anyone can set)."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # a uid without a passwd entry (a container)
        return f"uid {os.getuid()}"


def roles_of(people: People, login: str) -> Roles:
    """The approval steps and translation languages ``login`` holds."""
    return people.roles_of(login)
