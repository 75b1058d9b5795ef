# syntax=docker/dockerfile:1
# The training image: the Fargate task `training` (the state machine runs
# `yogi pipeline step <prepare|train-document|train-ocr|evaluate>` in it) and the Lambda function
# of the light pipeline steps (through awslambdaric; infra/template.yaml sets that entry point).
#   docker build -f infra/docker/training.Dockerfile -t yogi-training .   (from the repository root)
# Bookworm, as the development machines: infra/apt-packages.txt names its packages.
FROM python:3.11-slim-bookworm

SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Tesseract, poppler and the fonts of the synthetic pages, from the same list `make setup` reads.
COPY infra/apt-packages.txt /tmp/apt-packages.txt
# hadolint ignore=DL3008
RUN apt-get update \
 && sed -e 's/#.*//' /tmp/apt-packages.txt | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/apt-packages.txt

# CPU-only torch from the PyTorch index first, then held by a constraint so that installing the
# project can never swap in a CUDA build. No torchvision: the OCR translator needs none.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN pip install --index-url "${TORCH_INDEX_URL}" torch==2.13.0 \
 && echo "torch==2.13.0+cpu" > /etc/torch-cpu.txt

# /app is first on sys.path (PYTHONPATH), so PROJECT_ROOT (inference/settings.py) is /app: the
# released models and the state machine definition ship beside the code.
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY inference ./inference
COPY serving ./serving
COPY training ./training
COPY models ./models
COPY infra/statemachine ./infra/statemachine
COPY feature_repo ./feature_repo
RUN pip install --constraint /etc/torch-cpu.txt . awslambdaric==4.2.2 \
 && python -c "import torch; assert not torch.version.cuda, torch.version.cuda"

RUN groupadd --gid 10001 yogi && useradd --create-home --uid 10001 --gid 10001 yogi
USER 10001:10001
ENV PYTHONPATH=/app \
    YOGI_DATA_DIR=/tmp/yogi \
    HF_HOME=/tmp/huggingface \
    MPLCONFIGDIR=/tmp/matplotlib

# No ENTRYPOINT: the state machine overrides the command of the ECS task.
CMD ["yogi", "--help"]
