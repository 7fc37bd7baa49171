# Tidings image: the CLI, the crawler, the classifier (with the bundled model) and the API.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY tidings ./tidings
COPY crawler ./crawler
COPY classifier ./classifier
COPY search_api ./search_api
COPY models ./models
RUN pip install --no-cache-dir -e . gunicorn
ENV TIDINGS_HOME=/data
VOLUME /data
EXPOSE 8000
CMD ["tidings", "serve", "--host", "0.0.0.0", "--port", "8000"]
