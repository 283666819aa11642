# Gridwatch production image: gunicorn serves the app, whitenoise the static files.
# docker-compose.yml runs the same image as web, Celery worker and Celery beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=3

# gettext: compilemessages below. Everything in requirements.txt installs as wheels.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin gridwatch
WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
# The key only lets the settings load for these two commands; it is not in any running container.
RUN export DJANGO_DEBUG=false DJANGO_SECRET_KEY=build-only-throwaway-key-never-used-at-runtime \
    && python manage.py compilemessages -v 0 \
    && python manage.py collectstatic --noinput -v 0 \
    && mkdir -p /app/media /app/var \
    && chown gridwatch:gridwatch /app/media /app/var

USER gridwatch
EXPOSE 8000
# Workers: WEB_CONCURRENCY (gunicorn reads it). HTTPS ends at the proxy in front (see README).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", "--timeout", "60", "--graceful-timeout", "20"]
