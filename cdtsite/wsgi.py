import gc
import os

from django.core.wsgi import get_wsgi_application

# Production unless told otherwise: a deployment that forgets DJANGO_SETTINGS_MODULE must
# not run with DEBUG on and a published key (manage.py defaults to development instead).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdtsite.settings.production")

application = get_wsgi_application()

# Load every view now, then hide the startup heap (about 120,000 objects) from the cyclic
# collector: a full collection walks it in ~80 ms here, a pause that landed on one request
# in thirty. After the freeze a full collection takes a few ms.
# https://docs.python.org/3/library/gc.html#gc.freeze
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view
gc.collect()
gc.freeze()
