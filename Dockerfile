# prorata: one image for the CLI (and, later, the API, workers and SFTP drop zone).
FROM python:3.11-slim AS build
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
COPY config ./config
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 prorata
COPY --from=build /install /usr/local
USER prorata
WORKDIR /home/prorata
ENV PRORATA_DATA_DIR=/home/prorata/var
ENTRYPOINT ["prorata"]
CMD ["--help"]
