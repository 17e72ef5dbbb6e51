"""Roles and capabilities are core's vocabulary (``chibo.core.roles``): every layer's checks use
them, and ``core.scoping`` may not import ``accounts``. Re-exported here for older imports."""

from chibo.core.roles import ROLE_CAPS, Cap, Role

__all__ = ["ROLE_CAPS", "Cap", "Role"]
