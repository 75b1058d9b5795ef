# syntax=docker/dockerfile:1
# The serving image: the Lambda functions of infra/template.yaml (ApiFunction, S3UploadFunction,
# AuthorizerFunction) run it, each naming its handler as the image command.
#   docker build -f infra/docker/serving.Dockerfile -t yogi-serving .   (from the repository root)
# Tesseract is not installed: Lambda reads pages with the default OCR engine (rapid, ONNX).
FROM public.ecr.aws/lambda/python:3.11

# CPU-only torch from the PyTorch index first, then held by a constraint so that installing the
# project can never swap in a CUDA build. No torchvision: nothing here needs it.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN pip install --no-cache-dir --index-url "${TORCH_INDEX_URL}" torch==2.13.0 \
 && echo "torch==2.13.0+cpu" > /tmp/torch-cpu.txt

# The project sits in the task root, which is first on Lambda's sys.path: PROJECT_ROOT
# (inference/settings.py) is /var/task, so models/calibration ships beside the code.
WORKDIR ${LAMBDA_TASK_ROOT}
COPY pyproject.toml README.md alembic.ini ./
COPY inference ./inference
COPY serving ./serving
COPY training ./training
COPY models/calibration ./models/calibration
COPY feature_repo ./feature_repo
RUN pip install --no-cache-dir --constraint /tmp/torch-cpu.txt . \
 && python -c "import torch; assert not torch.version.cuda, torch.version.cuda"

# Lambda's file system is read-only except /tmp: the data dir (model cache) and every library
# cache go there. Settings from the function's environment (YOGI_*) override these.
ENV YOGI_DATA_DIR=/tmp/yogi \
    YOGI_CALIBRATION_DIR=${LAMBDA_TASK_ROOT}/models/calibration \
    HF_HOME=/tmp/huggingface \
    MPLCONFIGDIR=/tmp/matplotlib \
    XDG_CACHE_HOME=/tmp/cache

CMD ["serving.lambda_handlers.api_handler"]
