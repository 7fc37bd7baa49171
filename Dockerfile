# Tidings image: the CLI, the crawler, the classifier (with the bundled model) and the API.
# NOT BUILT here: no Docker engine runs on the development machines (see README).
FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY tidings ./tidings
COPY crawler ./crawler
COPY classifier ./classifier
COPY search_api ./search_api
COPY models ./models
# gunicorn serves the API in production (`tidings serve` is werkzeug, for one user or a demo).
# Once pyproject declares the optional extra, this becomes: pip install -e '.[deploy]'
RUN pip install -e . "gunicorn>=22" \
    && useradd --system --home /data tidings \
    && mkdir -p /data /tmp/prometheus && chown tidings /data /tmp/prometheus
USER tidings
ENV TIDINGS_HOME=/data
VOLUME /data
EXPOSE 8000
ENV TIDINGS_BIND=0.0.0.0:8000
CMD ["gunicorn", "-c", "python:search_api.gunicorn_conf", "search_api:create_app()"]
