# policybot: multi-stage build, runs as a non-root user.
#   docker compose up -d            (see README: Deployment)
# Stage 1 builds a virtualenv with policybot and its dependencies (some, like atomicwrites,
# come as source and need the build tools only this stage has).
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY prompts ./prompts
RUN pip install --upgrade pip && pip install .

# Stage 2: the virtualenv, the prompts and the seed sources; nothing else but Debian's
# trans-de-en, Ding's German-English dictionary (GPL-2+): German questions about English
# sources are searched with it too (knowledge/text/lexicon.py finds it at /usr/share/trans/de-en).
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends trans-de-en \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin policybot \
    && mkdir /data && chown policybot:policybot /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY prompts ./prompts
COPY seeds ./seeds
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    POLICYBOT_DATA_DIR=/data \
    POLICYBOT_PROMPTS_DIR=/app/prompts \
    POLICYBOT_SOURCES=/app/seeds
USER policybot
VOLUME ["/data"]
# 3000: Slack HTTP mode (Socket Mode needs no port); 9464: /healthz and /metrics.
EXPOSE 3000 9464
# The knowledge base is refreshed at every start (incremental: unchanged sources cost
# nothing); a failed source does not keep the bot from starting with what it has.
# `exec` makes policybot PID 1's child-free successor, so SIGTERM reaches it directly.
CMD ["sh", "-c", "policybot refresh; exec policybot run"]
