import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "communeos.settings")
application = get_wsgi_application()
# What is loaded by now (Django, the apps and their models) lives as long as the process: set it
# aside, so that the garbage collector stops walking it on every full collection.
gc.freeze()
