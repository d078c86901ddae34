import os

from django.core.wsgi import get_wsgi_application

# Production unless told otherwise: a deployment that forgets DJANGO_SETTINGS_MODULE must
# not run with DEBUG on and a published key (manage.py defaults to development instead).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdtsite.settings.production")

application = get_wsgi_application()
