# chibo in a container: `docker build -t chibo .`, then `docker compose up` (compose.yaml).
# Stage 1 builds the wheels; stage 2 installs them, and nothing else, for a non-root user.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY db db
COPY sandbox sandbox
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
# pg_dump for `chibo backup` on PostgreSQL.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /var/lib/chibo --shell /usr/sbin/nologin chibo
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels chibo && rm -rf /wheels
USER chibo
WORKDIR /var/lib/chibo
ENV CHIBO_DATABASE_URL=sqlite:////var/lib/chibo/chibo.db \
    CHIBO_LISTEN=0.0.0.0:8443 \
    CHIBO_HEALTH_LISTEN=0.0.0.0:8081 \
    PYTHONUNBUFFERED=1
EXPOSE 8443 8081
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8081/healthz', timeout=4)"]
CMD ["chibo", "run"]
