# prorata: one image for every process — `prorata api | worker | sftp | watch` (and the CLI: `db upgrade`,
# `ready`, `tenants`, `keys`, `sftp-users`…). compose.yaml runs it on PostgreSQL and RabbitMQ.
#
#   docker build -t prorata .
#   docker run --rm prorata --help

ARG PYTHON_IMAGE=python:3.11-slim

# Build: prorata and every dependency as wheels (psycopg, python-calamine and the rest ship binary wheels,
# so no compiler is needed).
FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
RUN pip install --no-cache-dir --upgrade "pip>=24"
COPY pyproject.toml README.md ./
COPY src ./src
COPY config ./config
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# Run: the wheels installed, no build tools, a user of its own.
FROM ${PYTHON_IMAGE} AS run
# Its home is its own, not the data folder every process shares (a tool's dot-files would land there);
# the data folder is made the user's in the image, so that a new volume mounted there is too.
RUN useradd --system --uid 10001 --user-group --home-dir /home/prorata --create-home prorata \
    && install -d -o prorata -g prorata -m 0750 /var/lib/prorata
COPY --from=build /wheels /tmp/wheels
RUN pip install --no-cache-dir --no-index --find-links=/tmp/wheels prorata && rm -rf /tmp/wheels
# One JSON object per log line; the data folder (files kept, SFTP drop zone and host key) is a volume
# that every process of a deployment shares.
ENV PRORATA_DATA_DIR=/var/lib/prorata \
    PRORATA_LOG_FORMAT=json \
    PYTHONUNBUFFERED=1
USER prorata:prorata
WORKDIR /var/lib/prorata
VOLUME ["/var/lib/prorata"]
# REST API, SFTP drop zone, a worker's metrics.
EXPOSE 8000 2222 9191
ENTRYPOINT ["prorata"]
CMD ["api", "--host", "0.0.0.0", "--port", "8000"]
