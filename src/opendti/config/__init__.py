# Loaded with Django so that `@shared_task` functions bind to our Celery app (its settings, its
# eager mode) wherever they are called from.
from .celery import app as celery_app

__all__ = ("celery_app",)
