"""Deployment checks (`opendti check --deploy`) for the administrators' network rule."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def admin_networks_set(app_configs, **kwargs) -> list[Warning]:
    if settings.OPENDTI_ADMIN_NETWORKS:
        return []
    return [
        Warning(
            "OPENDTI_ADMIN_NETWORKS allows every network: the admin site and administrator "
            "accounts can be used from anywhere.",
            hint="Set it to the agency's internal networks (QĐ 742/QĐ-BTTTT), e.g. "
            "OPENDTI_ADMIN_NETWORKS=10.0.0.0/8,192.168.10.0/24.",
            id="opendti.W001",
        )
    ]
