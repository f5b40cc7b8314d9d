# Image de production de FDLS : web (gunicorn), worker et beat Celery.
# Construite et lancée par docker-compose.yml ; voir docs/exploitation.md.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# Même version de uv que scripts/installer.sh.
RUN pip install --no-cache-dir "uv==0.13.8"

WORKDIR /app

# Dépendances d'abord (couche en cache tant que uv.lock ne change pas), sans les outils de développement.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .

RUN useradd --system --uid 10001 --create-home --home-dir /home/fdls fdls \
    && mkdir -p /var/lib/fdls/static /var/lib/fdls/prive \
    && chown -R fdls:fdls /var/lib/fdls

ENV FDLS_ENV=production \
    FDLS_STATIC_ROOT=/var/lib/fdls/static \
    FDLS_PRIVATE_MEDIA_ROOT=/var/lib/fdls/prive

USER fdls
EXPOSE 8000

# La commande réelle (migrate, collectstatic, gunicorn / celery) est donnée par docker-compose.yml.
CMD ["gunicorn", "fdls.wsgi", "--bind", "0.0.0.0:8000", "--no-control-socket"]
